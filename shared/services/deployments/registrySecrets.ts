// Inline registry credentials at rest: one sealed row per deployment, never the
// revision (revisions are immutable and returned by the API; secrets rotate).
// The sealer is the port; adapters/secrets/aesGcmSealer.ts implements it with a
// key from the REGISTRY_SECRETS_KEY setting (a Key Vault reference in Azure).
import type { RegistryCredential } from '../../config/settings';
import type { InlineCredential } from '../../domain/deployments/inlineCredentials';
import { AppError, badRequest } from '../../errors';

export interface SecretSealer {
  /** Authenticated encryption of `plaintext`; the result is safe to store. */
  seal(plaintext: string): string;
  /** The plaintext of a `seal` result; throws an AppError when the key is not the one that sealed it. */
  open(sealed: string): string;
}

export type RegistrySecrets = Readonly<Record<string, RegistryCredential>>;

/** Reads a deployment's sealed secrets row (undefined when it has none). */
export type SealedSecretsReader = (deploymentId: string) => Promise<string | undefined>;

export function openSecrets(sealer: SecretSealer | undefined, sealed: string | undefined): RegistrySecrets {
  if (sealed === undefined) return {};
  if (!sealer) throw new AppError('RegistrySecretsKeyMissing', 500, 'this deployment holds sealed registry credentials but REGISTRY_SECRETS_KEY is not configured', { retryable: false });
  return JSON.parse(sealer.open(sealed)) as RegistrySecrets;
}

/**
 * The deployment's secrets after a request: what it sent, a redacted password
 * meaning "keep the stored one". Names not sent stay (an older revision may use them).
 */
export function mergeSecrets(stored: RegistrySecrets, sent: Readonly<Record<string, InlineCredential>>): RegistrySecrets {
  const next: Record<string, RegistryCredential> = { ...stored };
  const unknown: { pointer: string; detail: string }[] = [];
  for (const [name, c] of Object.entries(sent)) {
    const password = c.password ?? stored[name]?.password;
    if (password === undefined) {
      unknown.push({ pointer: `${c.pointer}/password`, detail: `is redacted, but this deployment holds no password for '${name}': send the password` });
      continue;
    }
    next[name] = { address: c.address, username: c.username, password };
  }
  if (unknown.length) throw badRequest('A registry password is redacted but not stored.', unknown, 'RegistrySecretUnknown');
  return next;
}

/** Whether two secret sets hold the same credentials (sealing is randomised, so compare plaintext). */
export const sameSecrets = (a: RegistrySecrets, b: RegistrySecrets): boolean => canonical(a) === canonical(b);

const canonical = (s: RegistrySecrets) =>
  JSON.stringify(
    Object.keys(s)
      .sort()
      .map((k) => [k, s[k]!.address, s[k]!.username, s[k]!.password]),
  );

/** The sealed row for `secrets`, or undefined when there is nothing to keep. Refuses when no key is configured. */
export function sealSecrets(sealer: SecretSealer | undefined, secrets: RegistrySecrets, pointers: readonly string[]): string | undefined {
  if (!Object.keys(secrets).length) return undefined;
  if (!sealer) {
    throw badRequest(
      'Inline registry credentials need the REGISTRY_SECRETS_KEY setting, which seals them at rest; it is not configured.',
      pointers.map((pointer) => ({ pointer, detail: 'cannot be stored without REGISTRY_SECRETS_KEY; or name a credential from REGISTRY_CREDENTIALS instead', code: 'secrets_key_missing' })),
      'RegistrySecretsKeyMissing',
    );
  }
  return sealer.seal(JSON.stringify(secrets));
}
