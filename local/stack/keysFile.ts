// The local host's keys, kept in `.local/keys.json` so they survive restarts
// (scripts that read the key once keep working).
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { HostKeys } from '../host/keys';

const newKey = () => randomBytes(32).toString('base64url');

export function loadOrCreateKeys(path: string): HostKeys {
  if (existsSync(path)) {
    const stored = JSON.parse(readFileSync(path, 'utf8')) as Partial<HostKeys>;
    if (stored.functionKey && stored.masterKey) return { functionKey: stored.functionKey, masterKey: stored.masterKey };
  }
  const keys = { functionKey: newKey(), masterKey: newKey() };
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, JSON.stringify(keys, null, 2), { mode: 0o600 });
  return keys;
}
