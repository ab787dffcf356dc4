// Makes a throwaway app root (package.json + host.json) whose `main` points at
// compiled fixture functions, so the local host can load them like an app.
import { copyFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const projectRoot = resolve(__dirname, '..', '..', '..');

export function fixtureAppRoot(mainGlob: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'fixture-app-'));
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'fixture-app', main: mainGlob }));
  copyFileSync(join(projectRoot, 'host.json'), join(dir, 'host.json'));
  return dir;
}

/** Polls until `check` returns a value (not undefined), or fails after `timeoutMs`. */
export async function waitFor<T>(check: () => T | undefined | Promise<T | undefined>, timeoutMs = 10000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
