import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadSettings, SettingsError } from '../../../shared/config/settings';

const valid = {
  HUBS: JSON.stringify([{ name: 'weu', region: 'westeurope', labels: { geo: 'eu' }, connection: 'weu.azure-devices.net' }]),
  HEALTH_EVENTHUB_NAME: 'device-health',
  HEALTH_EVENTHUB_CONSUMER_GROUP: 'control-plane',
  RECONCILE_SCHEDULE: '0 */1 * * * *',
  FleetStorage: 'UseDevelopmentStorage=true',
  HealthEventHub: 'Endpoint=sb://localhost;SharedAccessKeyName=k;SharedAccessKey=s;UseDevelopmentEmulator=true',
  // Development storage and the emulator transport are insecure: only the local stack may use them.
  LOCAL_DEV: 'true',
};

describe('settings', () => {
  it('parses a complete set and fills documented defaults', () => {
    const s = loadSettings(valid);
    assert.equal(s.HUBS[0]?.units, 1);
    assert.equal(s.RECONCILE_SCHEDULE, '0 */1 * * * *');
    assert.equal(s.DEVICE_OFFLINE_AFTER_SECONDS, 600);
    assert.deepEqual(s.REGISTRY_CREDENTIALS, {});
    assert.equal(s.storage.kind, 'connectionString');
  });

  it('accepts identity-based connections without any secret', () => {
    const { FleetStorage: _s, HealthEventHub: _e, ...rest } = valid;
    const s = loadSettings({
      ...rest,
      FleetStorage__accountName: 'fleetstore',
      HealthEventHub__fullyQualifiedNamespace: 'fleet.servicebus.windows.net',
    });
    assert.deepEqual(s.storage, {
      kind: 'identity',
      tableServiceUri: 'https://fleetstore.table.core.windows.net',
      blobServiceUri: 'https://fleetstore.blob.core.windows.net',
    });
    assert.equal(s.healthEventHub.kind, 'identity');
  });

  it('names every bad setting with what it should look like, and never echoes secrets', () => {
    try {
      loadSettings({ HUBS: '[{"name":"WEU!","connection":"HostName=x;SharedAccessKey=topsecret"}]', DEVICE_OFFLINE_AFTER_SECONDS: 'soon' });
      assert.fail('expected SettingsError');
    } catch (error) {
      assert.ok(error instanceof SettingsError);
      const names = error.problems.map((p) => p.name).sort();
      assert.deepEqual(names, ['DEVICE_OFFLINE_AFTER_SECONDS', 'FleetStorage', 'HEALTH_EVENTHUB_CONSUMER_GROUP', 'HEALTH_EVENTHUB_NAME', 'HUBS', 'HealthEventHub', 'RECONCILE_SCHEDULE']);
      assert.match(error.message, /HUBS: 0\.name must be 3-50 lowercase/);
      assert.match(error.message, /Expected: JSON list of regional IoT Hubs/);
      assert.doesNotMatch(error.message, /topsecret/);
    }
  });
});
