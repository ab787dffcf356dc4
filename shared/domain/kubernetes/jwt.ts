// Checks an RS256 JWT (an Entra ID access token) against a key set, an issuer
// and an audience (RFC 7519, RFC 7515). Pure: keys are handed in, so it is
// tested with a locally signed token and never needs the network.
import { createPublicKey, type JsonWebKey, verify } from 'node:crypto';

export interface JwtExpectations {
  readonly issuer: string;
  readonly audience: string;
  /** Seconds of clock skew allowed on exp/nbf. */
  readonly leewaySeconds?: number;
  readonly now?: Date;
}

export type JwtResult = { readonly ok: true; readonly claims: Record<string, unknown> } | { readonly ok: false; readonly reason: string };

const decode = (part: string): Record<string, unknown> | undefined => {
  try {
    const value = JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as unknown;
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
};

/** The `kid` the token names, to pick the key before verifying. */
export function jwtKeyId(token: string): string | undefined {
  const kid = decode(token.split('.')[0] ?? '')?.kid;
  return typeof kid === 'string' ? kid : undefined;
}

export function verifyJwt(token: string, key: JsonWebKey | undefined, expect: JwtExpectations): JwtResult {
  const parts = token.split('.');
  if (parts.length !== 3) return { ok: false, reason: 'not a JWS compact token' };
  const [h, p, s] = parts as [string, string, string];
  const header = decode(h);
  const claims = decode(p);
  if (!header || !claims) return { ok: false, reason: 'undecodable header or claims' };
  // Only RS256: 'none' and HMAC algorithms would let a client choose how it is checked.
  if (header.alg !== 'RS256') return { ok: false, reason: `alg ${String(header.alg)} is not accepted` };
  if (!key) return { ok: false, reason: 'no signing key with that kid' };
  const valid = verify('RSA-SHA256', Buffer.from(`${h}.${p}`), createPublicKey({ key, format: 'jwk' }), Buffer.from(s, 'base64url'));
  if (!valid) return { ok: false, reason: 'bad signature' };
  const now = Math.floor((expect.now ?? new Date()).getTime() / 1000);
  const leeway = expect.leewaySeconds ?? 300;
  if (claims.iss !== expect.issuer) return { ok: false, reason: 'wrong issuer' };
  const aud = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
  if (!aud.includes(expect.audience)) return { ok: false, reason: 'wrong audience' };
  if (typeof claims.exp !== 'number' || claims.exp + leeway < now) return { ok: false, reason: 'expired' };
  if (typeof claims.nbf === 'number' && claims.nbf - leeway > now) return { ok: false, reason: 'not yet valid' };
  return { ok: true, claims };
}
