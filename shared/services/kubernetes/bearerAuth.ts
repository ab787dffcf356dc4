// Who may use the Kubernetes surface: its route is anonymous to the Functions
// host (kubectl sends `Authorization: Bearer`, not a function key), so the
// token is checked here. A configured shared key (the local stack's function
// key) or an Entra ID access token of the configured tenant and audience.
import { timingSafeEqual } from 'node:crypto';
import type { JsonWebKey } from 'node:crypto';
import { jwtKeyId, verifyJwt } from '../../domain/kubernetes/jwt';

export interface BearerAuthOptions {
  readonly sharedKey?: string | undefined;
  readonly entra?: { readonly tenantId: string; readonly audience: string } | undefined;
  /** The tenant's signing keys by kid (fetched from its OpenID metadata). */
  readonly signingKey?: (kid: string) => Promise<JsonWebKey | undefined>;
}

export type AuthOutcome = { readonly ok: true; readonly subject: string } | { readonly ok: false; readonly reason: string };

const same = (a: string, b: string) => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

export const entraIssuer = (tenantId: string) => `https://login.microsoftonline.com/${tenantId}/v2.0`;

export async function authenticate(authorization: string | null, options: BearerAuthOptions): Promise<AuthOutcome> {
  const match = /^Bearer\s+(\S+)$/i.exec(authorization ?? '');
  if (!match) return { ok: false, reason: 'no bearer token' };
  const token = match[1]!;
  if (options.sharedKey && same(token, options.sharedKey)) return { ok: true, subject: 'shared-key' };
  if (options.entra && options.signingKey && token.split('.').length === 3) {
    const kid = jwtKeyId(token);
    const key = kid ? await options.signingKey(kid) : undefined;
    const result = verifyJwt(token, key, { issuer: entraIssuer(options.entra.tenantId), audience: options.entra.audience });
    if (result.ok) return { ok: true, subject: typeof result.claims.oid === 'string' ? result.claims.oid : typeof result.claims.sub === 'string' ? result.claims.sub : 'entra' };
    return { ok: false, reason: result.reason };
  }
  return { ok: false, reason: 'token not accepted' };
}

/**
 * Signing keys from the tenant's OpenID metadata (jwks_uri), cached for an
 * hour and re-read once for an unknown kid (Entra rolls keys). Every fetch has
 * a timeout; a failure answers "no key", so the request is a 401, never a 500.
 */
export function openIdSigningKeys(tenantId: string, options: { timeoutMs?: number; fetchImpl?: typeof fetch } = {}): (kid: string) => Promise<JsonWebKey | undefined> {
  const get = options.fetchImpl ?? fetch;
  const timeoutMs = options.timeoutMs ?? 5000;
  let cache: { keys: Map<string, JsonWebKey>; at: number } | undefined;
  const load = async () => {
    const meta = (await (await get(`${entraIssuer(tenantId)}/.well-known/openid-configuration`, { signal: AbortSignal.timeout(timeoutMs) })).json()) as { jwks_uri?: string };
    if (!meta.jwks_uri) throw new Error('OpenID metadata has no jwks_uri');
    const set = (await (await get(meta.jwks_uri, { signal: AbortSignal.timeout(timeoutMs) })).json()) as { keys?: (JsonWebKey & { kid?: string })[] };
    cache = { keys: new Map((set.keys ?? []).flatMap((k) => (k.kid ? [[k.kid, k] as const] : []))), at: Date.now() };
  };
  return async (kid) => {
    try {
      // An unknown kid re-reads the keys at most once a minute, so made-up kids cannot make it fetch per request.
      if (!cache || Date.now() - cache.at > 3600_000 || (!cache.keys.has(kid) && Date.now() - cache.at > 60_000)) await load();
      return cache?.keys.get(kid);
    } catch {
      return undefined;
    }
  };
}
