// Checking a webhook's credentials without leaking them through timing: both
// sides are hashed to equal length first, then compared in constant time.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

export type ProviderAuth =
  /** `<header>: sha256=<hex HMAC-SHA256 of the raw body>`. */
  | { readonly kind: 'hmac'; readonly header: string }
  /** `Authorization: Bearer <token>` (or the token alone, as Harbor's auth header may be set). */
  | { readonly kind: 'bearer' }
  /** `?token=<token>`: Docker Hub webhooks can carry nothing but a URL. */
  | { readonly kind: 'query'; readonly parameter: string };

const digest = (value: string | Buffer) => createHash('sha256').update(value).digest();

/** Constant-time equality of two secrets of any length. */
export function sameSecret(presented: string | Buffer, expected: string | Buffer): boolean {
  return timingSafeEqual(digest(presented), digest(expected));
}

/** `sha256=<hex>` over the raw body, as GitHub's X-Hub-Signature-256 and our X-Signature-256. */
export function hmacSignature(secret: string, body: Buffer): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

export interface PresentedCredentials {
  /** Lower-case header names. */
  readonly header: (name: string) => string | undefined;
  readonly query: (name: string) => string | undefined;
}

/** Whether the credentials a request carries are the provider's; `body` is needed only for HMAC schemes. */
export function authenticate(auth: ProviderAuth, secret: string, request: PresentedCredentials, body?: Buffer): boolean {
  switch (auth.kind) {
    case 'hmac': {
      const signature = request.header(auth.header);
      if (!signature || !body) return false;
      return sameSecret(signature.trim().toLowerCase(), hmacSignature(secret, body));
    }
    case 'bearer': {
      const value = request.header('authorization');
      if (!value) return false;
      return sameSecret(value.trim().replace(/^Bearer\s+/i, ''), secret);
    }
    case 'query': {
      const token = request.query(auth.parameter);
      return token !== undefined && sameSecret(token, secret);
    }
  }
}

/** HMAC schemes sign the body, so it must be read (within the size limit) before they can be checked. */
export const needsBody = (auth: ProviderAuth): boolean => auth.kind === 'hmac';
