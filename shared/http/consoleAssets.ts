// The web console's built files (dist/console, made by `npm run build`), read
// once and answered from memory. Only names found in the folder are served, so
// no request path can reach another file.
import type { HttpResponseInit } from '@azure/functions';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import { AppError, notFound } from '../errors';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

// Same-origin scripts, styles and API calls only; nothing inline, no framing.
const SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
};

interface Asset {
  readonly body: Buffer;
  readonly type: string;
  readonly etag: string;
}

export interface ConsoleAssets {
  /** The response for `console/<path>` (`''` is the page). */
  respond(path: string, ifNoneMatch: string | null): HttpResponseInit;
}

export function consoleAssets(dir: string): ConsoleAssets {
  let assets: Map<string, Asset> | undefined;
  const load = () => {
    if (!existsSync(dir)) throw new AppError('ConsoleNotBuilt', 503, 'The console is not built: run `npm run build`.', { retryable: false });
    return new Map(
      readdirSync(dir)
        .filter((name) => TYPES[extname(name)])
        .map((name) => {
          const body = readFileSync(join(dir, name));
          return [name, { body, type: TYPES[extname(name)]!, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"` }] as const;
        }),
    );
  };
  return {
    respond(path, ifNoneMatch) {
      assets ??= load();
      const asset = assets.get(path === '' ? 'index.html' : path);
      if (!asset) throw notFound(`console file '${path}'`, 'ConsoleFileNotFound');
      // Revalidated every time (no-cache), answered 304 when unchanged: a new build shows at once.
      const headers = { ...SECURITY_HEADERS, 'content-type': asset.type, 'cache-control': 'no-cache', etag: asset.etag };
      if (ifNoneMatch === asset.etag) return { status: 304, headers };
      return { status: 200, headers, body: asset.body };
    },
  };
}
