import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { signSas, verifySas } from '../../../local/iothub/sas';

const key = randomBytes(32).toString('base64');
const policies = [{ keyName: 'iothubowner', primaryKey: key, secondaryKey: randomBytes(32).toString('base64') }];
const host = 'weu.hubs.localhost';
const now = 1_700_000_000;

describe('SAS verification', () => {
  it('accepts a token signed with the policy key for this hub that has not expired', () => {
    assert.deepEqual(verifySas(signSas(host, 'iothubowner', key, now + 60), host, policies, now), { ok: true, policy: 'iothubowner' });
  });
  it('accepts the secondary key and a resource below the hub', () => {
    const token = signSas(`${host}/devices/d1`, 'iothubowner', policies[0]!.secondaryKey, now + 60);
    assert.equal(verifySas(token, host, policies, now).ok, true);
  });
  it('rejects a wrong key, an expired token, another hub, an unknown policy and garbage', () => {
    const cases: [string | undefined, RegExp][] = [
      [signSas(host, 'iothubowner', randomBytes(32).toString('base64'), now + 60), /signature/],
      [signSas(host, 'iothubowner', key, now), /expired/],
      [signSas('eus.hubs.localhost', 'iothubowner', key, now + 60), /another resource/],
      [signSas(host, 'nobody', key, now + 60), /unknown policy/],
      ['Bearer abc', /not a SharedAccessSignature/],
      [undefined, /missing/],
      ['SharedAccessSignature sr=x', /required/],
    ];
    for (const [token, reason] of cases) {
      const result = verifySas(token, host, policies, now);
      assert.equal(result.ok, false);
      assert.match(result.ok ? '' : result.reason, reason);
    }
  });
  it('rejects a signature copied onto a later expiry', () => {
    const token = signSas(host, 'iothubowner', key, now + 60).replace(`se=${now + 60}`, `se=${now + 6000}`);
    assert.equal(verifySas(token, host, policies, now).ok, false);
  });
});
