import assert from 'node:assert/strict';
import { generateKeyPairSync, type JsonWebKey, sign } from 'node:crypto';
import { describe, it } from 'node:test';
import { verifyJwt } from '../../../shared/domain/kubernetes/jwt';
import { authenticate } from '../../../shared/services/kubernetes/bearerAuth';

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const jwk: JsonWebKey = publicKey.export({ format: 'jwk' });
const tenant = '11111111-2222-3333-4444-555555555555';
const issuer = `https://login.microsoftonline.com/${tenant}/v2.0`;
const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
function token(claims: Record<string, unknown>, header: Record<string, unknown> = { alg: 'RS256', kid: 'k1', typ: 'JWT' }): string {
  const body = `${b64(header)}.${b64(claims)}`;
  return `${body}.${sign('RSA-SHA256', Buffer.from(body), privateKey).toString('base64url')}`;
}
const now = Math.floor(Date.now() / 1000);
const good = { iss: issuer, aud: 'api://edge-fleet-k8s', exp: now + 600, nbf: now - 10, oid: 'user-oid' };
const expect = { issuer, audience: 'api://edge-fleet-k8s' };

describe('Entra ID bearer tokens for the Kubernetes surface', () => {
  it('accepts a token signed by the tenant key for the configured audience', () => {
    const r = verifyJwt(token(good), jwk, expect);
    assert.equal(r.ok, true);
  });
  it('refuses a wrong audience, a wrong issuer, an expired token, a tampered one and alg none', () => {
    assert.deepEqual(verifyJwt(token({ ...good, aud: 'other' }), jwk, expect), { ok: false, reason: 'wrong audience' });
    assert.deepEqual(verifyJwt(token({ ...good, iss: 'https://evil/v2.0' }), jwk, expect), { ok: false, reason: 'wrong issuer' });
    assert.deepEqual(verifyJwt(token({ ...good, exp: now - 3600 }), jwk, expect), { ok: false, reason: 'expired' });
    const [h, , s] = token(good).split('.');
    assert.deepEqual(verifyJwt(`${h}.${b64({ ...good, oid: 'admin' })}.${s}`, jwk, expect), { ok: false, reason: 'bad signature' });
    assert.equal(verifyJwt(`${b64({ alg: 'none' })}.${b64(good)}.`, jwk, expect).ok, false);
  });
  it('authenticates the shared key or an Entra token, nothing else', async () => {
    const options = { sharedKey: 'local-key', entra: { tenantId: tenant, audience: 'api://edge-fleet-k8s' }, signingKey: (kid: string) => Promise.resolve(kid === 'k1' ? jwk : undefined) };
    assert.deepEqual(await authenticate('Bearer local-key', options), { ok: true, subject: 'shared-key' });
    assert.deepEqual(await authenticate(`Bearer ${token(good)}`, options), { ok: true, subject: 'user-oid' });
    assert.equal((await authenticate(`Bearer ${token(good, { alg: 'RS256', kid: 'unknown' })}`, options)).ok, false);
    assert.equal((await authenticate('Bearer wrong', options)).ok, false);
    assert.equal((await authenticate(null, options)).ok, false);
    assert.equal((await authenticate('Basic bG9jYWw6a2V5', options)).ok, false);
  });
});
