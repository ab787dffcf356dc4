// The app as Azure runs it: identity-based settings only (no connection string,
// no key). Checks configuration resolution and client construction; nothing
// here talks to Azure (constructing clients and credentials makes no call).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

const identityEnv = {
  AzureWebJobsStorage__accountName: 'fleetstore',
  FleetStorage__accountName: 'fleetstore',
  FleetStorage__credential: 'managedidentity',
  FleetStorage__clientId: '00000000-0000-0000-0000-000000000001',
  HealthEventHub__fullyQualifiedNamespace: 'fleet-ns.servicebus.windows.net',
  HealthEventHub__credential: 'managedidentity',
  HealthEventHub__clientId: '00000000-0000-0000-0000-000000000001',
  HUBS: JSON.stringify([
    { name: 'weu', region: 'westeurope', labels: { geo: 'eu' }, connection: 'iot-abc-weu.azure-devices.net' },
    { name: 'eus', region: 'eastus', labels: { geo: 'us' }, connection: 'iot-abc-eus.azure-devices.net' },
  ]),
  HEALTH_EVENTHUB_NAME: 'device-health',
  HEALTH_EVENTHUB_CONSUMER_GROUP: 'control-plane',
  RECONCILE_SCHEDULE: '0 */1 * * * *',
};

describe('identity-based settings (as deployed by infra/)', () => {
  it('resolve without any connection string, and every client constructs for managed identity', async () => {
    for (const key of Object.keys(process.env)) if (/^(FleetStorage|HealthEventHub|AzureWebJobsStorage|HUBS)/.test(key)) delete process.env[key];
    Object.assign(process.env, identityEnv);
    assert.ok(!Object.values(process.env).some((v) => /AccountKey=|SharedAccessKey=/.test(v ?? '')), 'the test environment must hold no key');
    // The composition module reads settings when it loads, as the function app does on start.
    const { getServices, settings } = await import('../../../shared/composition.js');
    assert.deepEqual(settings.storage, {
      kind: 'identity',
      tableServiceUri: 'https://fleetstore.table.core.windows.net',
      blobServiceUri: 'https://fleetstore.blob.core.windows.net',
      clientId: '00000000-0000-0000-0000-000000000001',
    });
    assert.equal(settings.healthEventHub.kind, 'identity');

    const services = await getServices();
    assert.equal(services.tableService.url, 'https://fleetstore.table.core.windows.net');
    assert.deepEqual([...services.fleet.hubs.keys()], ['weu', 'eus']);
    assert.deepEqual(services.dependencyProbes.map((p) => p.name), ['tables', 'hub:weu', 'hub:eus', 'settings']);
  });

  it('builds an IoT Hub registry from a token credential for a bare host name', async () => {
    const { createRegistry } = await import('../../../shared/adapters/iothub/createRegistry.js');
    let asked = 0;
    const credential = { getToken: () => (asked++, Promise.resolve({ token: 't', expiresOnTimestamp: Date.now() + 3600_000 })) };
    const registry = createRegistry({ name: 'weu', region: 'westeurope', labels: {}, units: 1, connection: 'iot-abc-weu.azure-devices.net' }, { credential });
    assert.ok(registry);
    assert.equal(asked, 0, 'no token is requested until a call is made');
  });
});
