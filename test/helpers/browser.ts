// Debian's chromium driven by playwright-core (no browser download): headless,
// a fresh profile, and no background networking (this machine's network is
// closed; chromium's own connections would only be refused). Absent chromium,
// `chromiumPath()` is undefined and browser tests skip, saying why.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium } from 'playwright-core';

const CANDIDATE = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export const chromiumPath = (): string | undefined => (existsSync(CANDIDATE) ? CANDIDATE : undefined);
export const noChromiumReason = `chromium is not installed at ${CANDIDATE} (Debian: apt-get install chromium; or set CHROMIUM_PATH): browser tests skipped`;

export interface Browser {
  readonly context: BrowserContext;
  close(): Promise<void>;
}

export async function launchBrowser(viewport = { width: 1280, height: 900 }): Promise<Browser> {
  const executablePath = chromiumPath();
  if (!executablePath) throw new Error(noChromiumReason);
  const profile = mkdtempSync(join(tmpdir(), 'chromium-profile-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath,
    headless: true,
    viewport,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  return {
    context,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
