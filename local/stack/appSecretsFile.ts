// Secrets the app needs that Key Vault provides in Azure (infra/modules/keyvault.bicep):
// made once per state directory and kept in `.local/app-secrets.json`, so the
// same sealed registry credentials and continuation tokens stay readable across
// restarts of `npm start`. Lowest precedence: local.settings.json or the
// environment can still set either one.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

export interface LocalAppSecrets {
  /** 32 bytes, base64: seals inline registry credentials (aesGcmSealer). */
  readonly REGISTRY_SECRETS_KEY: string;
  /** Signs list continuation tokens (shared/http/paging.ts). */
  readonly PAGE_TOKEN_KEY: string;
}

const make = (): LocalAppSecrets => ({
  REGISTRY_SECRETS_KEY: randomBytes(32).toString('base64'),
  PAGE_TOKEN_KEY: randomBytes(32).toString('base64url'),
});

export function loadOrCreateAppSecrets(path: string): LocalAppSecrets {
  const stored: Partial<LocalAppSecrets> = existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as Partial<LocalAppSecrets>) : {};
  const fresh = make();
  const secrets = { REGISTRY_SECRETS_KEY: stored.REGISTRY_SECRETS_KEY ?? fresh.REGISTRY_SECRETS_KEY, PAGE_TOKEN_KEY: stored.PAGE_TOKEN_KEY ?? fresh.PAGE_TOKEN_KEY };
  if (stored.REGISTRY_SECRETS_KEY !== secrets.REGISTRY_SECRETS_KEY || stored.PAGE_TOKEN_KEY !== secrets.PAGE_TOKEN_KEY) {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, JSON.stringify(secrets, null, 2), { mode: 0o600 });
  }
  return secrets;
}
