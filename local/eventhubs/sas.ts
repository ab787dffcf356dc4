// Shared access signatures as Event Hubs checks them: HMAC-SHA256 with the
// policy key over "<url-encoded resource URI>\n<expiry>", expiry in the future,
// and the token's resource covering what it is used for.
import { createHmac, timingSafeEqual } from 'node:crypto';

export interface SasCheck {
  readonly ok: boolean;
  readonly reason?: string;
  /** The resource URI the token grants, lower-cased, without scheme. */
  readonly resource?: string;
}

export function verifySas(token: string, keys: Readonly<Record<string, string>>, now = Date.now()): SasCheck {
  if (!token.startsWith('SharedAccessSignature ')) return { ok: false, reason: 'not a shared access signature' };
  const fields = new URLSearchParams(token.slice('SharedAccessSignature '.length));
  const sr = fields.get('sr');
  const sig = fields.get('sig');
  const se = fields.get('se');
  const skn = fields.get('skn');
  if (!sr || !sig || !se || !skn) return { ok: false, reason: 'sr, sig, se and skn are required' };
  const key = keys[skn];
  if (!key) return { ok: false, reason: `unknown key name '${skn}'` };
  if (Number(se) * 1000 <= now) return { ok: false, reason: 'the token has expired' };
  const expected = createHmac('sha256', key).update(`${encodeURIComponent(sr)}\n${se}`).digest();
  const given = Buffer.from(sig, 'base64');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: 'the signature does not match' };
  return { ok: true, resource: sr.toLowerCase().replace(/^[a-z]+:\/\//, '').replace(/\/+$/, '') };
}

/** Whether a token for `resource` covers the entity at `audience` (a namespace token covers every hub). */
export function covers(resource: string, audience: string): boolean {
  const target = audience.toLowerCase().replace(/^[a-z]+:\/\//, '').replace(/\/+$/, '');
  return target === resource || target.startsWith(`${resource}/`);
}
