// Function keys, checked the way the Functions host does: `x-functions-key`
// header or `?code=`; the master key is accepted wherever a function key is.
import { timingSafeEqual } from 'node:crypto';

export interface HostKeys {
  readonly functionKey: string;
  readonly masterKey: string;
}

export type AuthLevel = 'anonymous' | 'function' | 'admin';

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export function presentedKey(headers: Headers | Record<string, string | string[] | undefined>, url: URL): string | undefined {
  const header = headers instanceof Headers ? headers.get('x-functions-key') : headers['x-functions-key'];
  const value = Array.isArray(header) ? header[0] : header;
  return value ?? url.searchParams.get('code') ?? undefined;
}

export function authorized(level: AuthLevel, key: string | undefined, keys: HostKeys): boolean {
  if (level === 'anonymous') return true;
  if (!key) return false;
  if (same(key, keys.masterKey)) return true;
  return level === 'function' && same(key, keys.functionKey);
}
