import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseHubConnection } from '../../../shared/adapters/iothub/createRegistry';
import { TokenBucket } from '../../../local/iothub/limits';

describe('hub connection setting', () => {
  it('tells a connection string, a SAS connection string and a bare host name apart', () => {
    assert.deepEqual(parseHubConnection('HostName=weu.hubs.localhost;SharedAccessKeyName=iothubowner;SharedAccessKey=abc='), {
      kind: 'connectionString',
      connectionString: 'HostName=weu.hubs.localhost;SharedAccessKeyName=iothubowner;SharedAccessKey=abc=',
      hostName: 'weu.hubs.localhost',
    });
    assert.deepEqual(parseHubConnection('HostName=h.azure-devices.net;SharedAccessSignature=SharedAccessSignature sr=h&sig=x&se=1&skn=a'), {
      kind: 'sharedAccessSignature',
      signature: 'SharedAccessSignature sr=h&sig=x&se=1&skn=a',
      hostName: 'h.azure-devices.net',
    });
    assert.deepEqual(parseHubConnection(' weu-hub.azure-devices.net '), { kind: 'hostName', hostName: 'weu-hub.azure-devices.net' });
  });
});

describe('token bucket', () => {
  it('allows a burst of capacity, then refills at the rate and says when to retry', () => {
    let now = 0;
    const bucket = new TokenBucket(() => ({ perMinute: 20, capacity: 2 }), () => now);
    assert.equal(bucket.take().ok, true);
    assert.equal(bucket.take().ok, true);
    assert.deepEqual(bucket.take(), { ok: false, retryAfterSeconds: 3 });
    now += 3000;
    assert.equal(bucket.take().ok, true);
  });
});
