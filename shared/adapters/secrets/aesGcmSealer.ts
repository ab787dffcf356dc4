// SecretSealer with AES-256-GCM (Node's crypto). The key comes from the
// REGISTRY_SECRETS_KEY setting (32 bytes, base64); in Azure that setting is a
// Key Vault reference, so the key itself lives in Key Vault. A sealed value is
// `v1.<key id>.<iv>.<tag>.<ciphertext>` (base64url): the key id (a hash prefix of
// the key, not the key) tells "sealed with another key" apart from tampering.
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { AppError } from '../../errors';
import type { SecretSealer } from '../../services/deployments/registrySecrets';

const VERSION = 'v1';

export function aesGcmSealer(keyBase64: string): SecretSealer {
  const key = Buffer.from(keyBase64, 'base64');
  if (key.length !== 32) throw new AppError('InvalidSetting', 500, 'REGISTRY_SECRETS_KEY must be 32 bytes, base64-encoded', { retryable: false });
  const keyId = createHash('sha256').update(key).digest('base64url').slice(0, 8);
  return {
    seal(plaintext) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      const data = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      return [VERSION, keyId, iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), data.toString('base64url')].join('.');
    },
    open(sealed) {
      const [version, id, iv, tag, data] = sealed.split('.');
      if (version !== VERSION || !iv || !tag || data === undefined) throw new AppError('SealedSecretUnreadable', 500, 'a sealed registry secret has an unknown format', { retryable: false });
      if (id !== keyId) throw new AppError('SealedSecretUnreadable', 500, 'registry secrets were sealed with another REGISTRY_SECRETS_KEY', { retryable: false });
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
        decipher.setAuthTag(Buffer.from(tag, 'base64url'));
        return Buffer.concat([decipher.update(Buffer.from(data, 'base64url')), decipher.final()]).toString('utf8');
      } catch {
        throw new AppError('SealedSecretUnreadable', 500, 'a sealed registry secret failed authentication (altered or corrupt)', { retryable: false });
      }
    },
  };
}
