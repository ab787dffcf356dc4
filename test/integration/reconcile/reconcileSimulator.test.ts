// The reconcile pass against the IoT Hub simulator through the real azure-iothub
// SDK (and Azurite for desired state and the lease): what an operator's hub does
// behind the app's back is repaired, foreign configurations are left alone, a
// full hub is a clear error, and two passes at once do the work once.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ContainerClient } from '@azure/storage-blob';
import type { Registry } from 'azure-iothub';
import { type AzuriteHandle, startAzurite } from '../../../local/azurite';
import { type IotHubSimulatorHandle, startIotHubSimulator } from '../../../local/iothub';
import { blobPassLease } from '../../../shared/adapters/blobs/blobPassLease';
import { createRegistry } from '../../../shared/adapters/iothub/createRegistry';
import { registryConfigurations } from '../../../shared/adapters/iothub/registryConfigurations';
import { tableDeploymentStore } from '../../../shared/adapters/tables/tableDeploymentStore';
import { type HubSetting, hubSettingSchema } from '../../../shared/config/settings';
import { INSTALLATION_LABEL, MANAGED_BY_LABEL, MANAGED_BY_VALUE } from '../../../shared/domain/deployments/configurationId';
import { buildFleet } from '../../../shared/services/deployments/buildFleet';
import type { DeploymentStore } from '../../../shared/services/deployments/deploymentStore';
import type { HubFleet } from '../../../shared/services/deployments/hubRuntime';
import { reconcilePass } from '../../../shared/services/reconcile/reconcilePass';
import { azuriteTable } from '../../helpers/azuriteTable';
import { TEST_INSTALLATION } from '../../helpers/memoryHub';
import { buildConfiguration, newRevision } from '../../helpers/revisions';

describe('reconcile pass against the IoT Hub simulator (real SDK)', () => {
  let azurite: AzuriteHandle;
  let iothub: IotHubSimulatorHandle;
  let hubs: HubSetting[];
  let registries: Map<string, Registry>;
  let container: ContainerClient;
  let n = 0;

  before(async () => {
    [azurite, iothub] = await Promise.all([startAzurite(), startIotHubSimulator({ fleet: 2, seed: 3, limits: { configOpsPerMinutePerUnit: 6000, queriesPerMinutePerUnit: 6000 } })]);
    hubs = iothub.hubs.map((h) => hubSettingSchema.parse({ name: h.name, region: h.region, labels: h.labels, connection: h.connectionString, local: { endpoint: h.localEndpoint, caFile: h.caFile } }));
    registries = new Map(hubs.map((h) => [h.name, createRegistry(h)]));
    container = new ContainerClient(azurite.connectionString, 'leases');
  });
  after(async () => {
    await iothub.stop();
    await azurite.stop();
  });

  const fleet = (maxConfigurations = 100): HubFleet =>
    buildFleet(hubs, { installationId: TEST_INSTALLATION, opsPerMinutePerUnit: 6000, maxConfigurations, configurationsFor: (hub) => registryConfigurations(hub.name, registries.get(hub.name)!, 3000) });
  const sim = (name: string) => iothub.simulator.hubs.find((h) => h.name === name)!;
  const ids = (name: string) => [...sim(name).configurations.items.keys()].sort();
  const admin = (name: string, patch: unknown) => fetch(`${iothub.adminUrl}/admin/hubs/${name}`, { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: JSON.stringify(patch) });
  const fresh = (): { store: DeploymentStore; pass: (options?: { now?: () => Date; maxConfigurations?: number }) => ReturnType<typeof reconcilePass> } => {
    const store = tableDeploymentStore(azuriteTable(azurite, `simdeployments${++n}`));
    const lease = blobPassLease(container, `sim-${n}`);
    return { store, pass: (o = {}) => reconcilePass(lease, { store, configurationFor: buildConfiguration, fleet: fleet(o.maxConfigurations), budgetMs: 30_000, ...(o.now ? { now: o.now } : {}) }) };
  };
  const cleanHubs = async () => {
    for (const h of iothub.simulator.hubs) for (const id of [...h.configurations.items.keys()]) await registries.get(h.name)!.removeConfiguration(id);
  };

  it('restores a configuration deleted behind the app’s back, and a hub that was down once it is back', async () => {
    await cleanHubs();
    const { store, pass } = fresh();
    await store.create('web', newRevision('web', 1, ['weu', 'eus']));
    await admin('eus', { outage: 'refuse' });
    try {
      const first = await pass();
      assert.ok(first.ran && first.summary.unreachableHubs.includes('eus'));
    } finally {
      await admin('eus', { outage: 'none' });
    }
    assert.deepEqual(ids('weu'), ['web-r1']);
    assert.deepEqual(ids('eus'), []);
    await registries.get('weu')!.removeConfiguration('web-r1'); // an operator, in the portal
    await pass({ now: () => new Date(Date.now() + 3600_000) }); // past the down hub's backoff
    assert.deepEqual(ids('weu'), ['web-r1'], 'restored');
    assert.deepEqual(ids('eus'), ['web-r1'], 'converged once back');
    assert.ok((await store.hubTargets('web')).every((t) => t.state === 'applied'));
  });

  it('removes superseded and orphaned managed configurations and never touches foreign ones', async () => {
    await cleanHubs();
    const { store, pass } = fresh();
    await store.create('web', newRevision('web', 1, ['weu']));
    await pass();
    await store.addRevision('web', 1, newRevision('web', 2, ['weu']));
    await pass();
    assert.deepEqual(ids('weu'), ['web-r2']);
    const registry = registries.get('weu')!;
    const base = { content: { modulesContent: { $edgeAgent: { 'properties.desired': {} }, $edgeHub: { 'properties.desired': {} } } }, targetCondition: "tags.env='x'", priority: 1, schemaVersion: '1.0' };
    const managed = (deployment: string, revision: number) => ({ [MANAGED_BY_LABEL]: MANAGED_BY_VALUE, fleetDeployment: deployment, fleetRevision: String(revision) });
    // Someone puts the old revision back by hand (superseded), and a deployment nobody knows left one behind (orphaned).
    await registry.addConfiguration({ ...base, id: 'web-r1', labels: managed('web', 1) });
    await registry.addConfiguration({ ...base, id: 'ghost-r1', labels: { ...managed('ghost', 1), [INSTALLATION_LABEL]: TEST_INSTALLATION } });
    await registry.addConfiguration({ ...base, id: 'someone-elses', labels: { team: 'other' } });
    // Made by this app before configurations named their installation: it could be any installation's, so GC leaves it.
    await registry.addConfiguration({ ...base, id: 'legacy-r1', labels: managed('legacy', 1) });
    await pass();
    assert.ok(ids('weu').includes('someone-elses'), 'foreign configuration untouched');
    assert.deepEqual(ids('weu'), ['legacy-r1', 'someone-elses', 'web-r2'], "the superseded and this installation's orphaned configurations are gone");
  });

  it('narrows a revision to tagged devices beside the previous one: IoT Hub gives those devices the newest, the rest keep theirs', async () => {
    await cleanHubs();
    const { store, pass } = fresh();
    const registry = registries.get('weu')!;
    const [canary, other] = [...sim('weu').devices.keys()].sort();
    await registry.updateTwin(canary!, { tags: { ring: 'canary' } }, '*');
    await registry.updateTwin(other!, { tags: { ring: 'broad' } }, '*');
    /** The configuration IoT Hub applied to a device's $edgeAgent, read back through the SDK. */
    const applied = async (deviceId: string) => {
      const twin = (await registry.getModuleTwin(deviceId, '$edgeAgent')).responseBody as unknown as { configurations?: Record<string, { status: string }> };
      return Object.entries(twin.configurations ?? {}).filter(([, c]) => c.status === 'Applied').map(([id]) => id);
    };
    const everyRing = { condition: "tags.ring IN ['canary','broad']" };

    await store.create('cam', newRevision('cam', 1, ['weu'], everyRing));
    await pass();
    await store.addRevision('cam', 1, { ...newRevision('cam', 2, ['weu'], { ...everyRing, image: 'nginx:1.26' }), narrowed: { weu: "tags.ring='canary'" } });
    await pass();
    assert.deepEqual(ids('weu'), ['cam-r1', 'cam-r2']);
    assert.deepEqual([await applied(canary!), await applied(other!)], [['cam-r2'], ['cam-r1']]);

    assert.ok(await store.assignHubs('cam', 2, [{ hub: 'weu', narrowTo: null }]));
    await pass();
    assert.deepEqual(ids('weu'), ['cam-r2'], 'widened, and the kept revision removed');
    assert.deepEqual([await applied(canary!), await applied(other!)], [['cam-r2'], ['cam-r2']]);
  });

  it('records a clear error when the hub has no room, then applies once there is', async () => {
    await cleanHubs();
    const { store, pass } = fresh();
    const registry = registries.get('sea')!;
    await registry.addConfiguration({ id: 'foreign-a', content: { modulesContent: { $edgeAgent: { 'properties.desired': {} }, $edgeHub: { 'properties.desired': {} } } }, targetCondition: '', priority: 1, labels: {}, schemaVersion: '1.0' });
    await store.create('full', newRevision('full', 1, ['sea']));
    await pass({ maxConfigurations: 1 });
    const sea = async () => (await store.hubTargets('full')).find((t) => t.hub === 'sea');
    const target = await sea();
    assert.equal(target?.state, 'failed');
    assert.equal(target?.lastError?.code, 'HubConfigurationLimitReached');
    assert.match(target?.lastError?.message ?? '', /limit|room|full/i);
    await registry.removeConfiguration('foreign-a');
    await pass({ maxConfigurations: 1, now: () => new Date(Date.now() + 3600_000) });
    assert.equal((await sea())?.state, 'applied');
  });

  it('lets one of two passes started at once do the work, with no duplicate operation', async () => {
    await cleanHubs();
    const { store, pass } = fresh();
    for (const id of ['a', 'b', 'c']) await store.create(id, newRevision(id, 1, ['weu', 'eus', 'sea']));
    const [x, y] = await Promise.all([pass(), pass()]);
    assert.equal([x, y].filter((r) => r.ran).length, 1);
    const ran = (x.ran ? x : y) as Extract<Awaited<ReturnType<typeof pass>>, { ran: true }>;
    assert.equal(ran.summary.creates, 9);
    assert.equal(ran.summary.failures, 0, 'a duplicate create would have failed with ConfigurationAlreadyExists');
    for (const hub of ['weu', 'eus', 'sea']) assert.deepEqual(ids(hub), ['a-r1', 'b-r1', 'c-r1']);
  });
});
