// Deleting a deployment mid-rollout, through the deployments service and the
// reconciler with real Azurite tables: the rollout ends (cancelled,
// DeploymentDeleted) and shows so while the deployment does, is never advanced
// again, and its row goes when the deployment is purged.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ContainerClient } from '@azure/storage-blob';
import { type AzuriteHandle, startAzurite } from '../../../local/azurite';
import { blobPassLease } from '../../../shared/adapters/blobs/blobPassLease';
import { tableDeploymentStore } from '../../../shared/adapters/tables/tableDeploymentStore';
import { tableRolloutStatusStore } from '../../../shared/adapters/tables/tableRolloutStatusStore';
import { tableRolloutStore } from '../../../shared/adapters/tables/tableRolloutStore';
import type { HubSetting } from '../../../shared/config/settings';
import { AppError } from '../../../shared/errors';
import { deploymentStatus } from '../../../shared/services/deployments/deploymentStatus';
import { createDeployment, deleteDeployment, type DeploymentsDeps, replaceDeployment } from '../../../shared/services/deployments/deploymentsService';
import { type DeviceCountsSource, noDevices } from '../../../shared/services/reconcile/deviceCounts';
import { reconcilePass } from '../../../shared/services/reconcile/reconcilePass';
import { azuriteTable } from '../../helpers/azuriteTable';
import { memoryFleet, MemoryHub } from '../../helpers/memoryHub';
import { buildConfiguration } from '../../helpers/revisions';

const T0 = Date.parse('2026-12-01T10:00:00.000Z');
const hubSettings: HubSetting[] = [
  { name: 'weu', region: 'westeurope', labels: { ring: 'canary' }, connection: 'weu.azure-devices.net', units: 1 },
  { name: 'eus', region: 'eastus', labels: {}, connection: 'eus.azure-devices.net', units: 1 },
];
const body = (id: string, image: string, rollout?: Record<string, unknown>) => JSON.stringify({ id, target: { condition: "tags.env='prod'" }, manifest: { modules: { web: { image } } }, ...(rollout ? { rollout } : {}) });
// minSucceeded 0: with no devices at all, only the soak holds the canary wave back.
const twoWaves = {
  waves: [
    { name: 'canary', hubSelector: { labels: { ring: 'canary' } }, soakSeconds: 300 },
    { name: 'rest', hubSelector: {}, soakSeconds: 300 },
  ],
  gate: { maxFailedPercent: 20, minSucceeded: 0 },
  onFailure: 'pause',
};
const noHealth: DeviceCountsSource = { count: () => Promise.resolve({ byHub: new Map([['weu', noDevices]]), asOf: null, source: 'health' }) };
const unreachable = () => ({ count: 1000, error: new AppError('HubUnreachable', 503, 'down') });

describe('deleting a deployment mid-rollout', () => {
  let azurite: AzuriteHandle;
  let hubs: MemoryHub[];
  let clock = T0;
  before(async () => {
    azurite = await startAzurite();
  });
  after(async () => azurite.stop());

  // Fresh clients every time: nothing survives in memory between calls but the hubs.
  const stores = () => ({ store: tableDeploymentStore(azuriteTable(azurite, 'deployments')), rollouts: tableRolloutStore(azuriteTable(azurite, 'rollouts')), rolloutStatus: tableRolloutStatusStore(azuriteTable(azurite, 'rolloutstatus')) });
  const fleet = () => memoryFleet(hubs, { labels: { weu: { ring: 'canary' } } });
  const deps = (atSeconds: number): DeploymentsDeps => {
    clock = T0 + atSeconds * 1000;
    return { ...stores(), fleet: fleet(), hubSettings, configurationFor: buildConfiguration, registryCredentialNames: [], now: () => new Date(clock) };
  };
  const pass = async (atSeconds: number) => {
    clock = T0 + atSeconds * 1000;
    const report = await reconcilePass(blobPassLease(new ContainerClient(azurite.connectionString, 'leases'), 'reconcile-deleted'), { ...stores(), configurationFor: buildConfiguration, fleet: fleet(), budgetMs: 30_000, deviceCounts: noHealth, now: () => new Date(clock) });
    assert.ok(report.ran);
    return report;
  };
  const rollout = async (id: string) => (await stores().rollouts.get(id))?.state;
  const configs = (hub: string, id: string) => [...hubs.find((h) => h.hub === hub)!.configs.keys()].filter((c) => c.startsWith(`${id}-`)).sort();
  const status = (id: string) => {
    const s = stores();
    const none = { forDeployment: () => Promise.resolve([]), all: () => Promise.resolve([]), record: () => Promise.resolve(), remove: () => Promise.resolve() };
    return deploymentStatus({ store: s.store, metrics: none, hubStatus: { all: () => Promise.resolve([]), record: () => Promise.resolve() }, deviceCounts: noHealth, rolloutStatus: s.rolloutStatus, rollouts: s.rollouts }, id);
  };

  it('ends the rollout at the delete, never advances it, and drops it with the deployment', async () => {
    hubs = [new MemoryHub('weu'), new MemoryHub('eus')];
    await createDeployment(deps(0), body('api', 'nginx:1.25'), 'application/json');
    await replaceDeployment(deps(1), 'api', 1, body('api', 'nginx:1.26', twoWaves), 'application/json');
    await pass(10);
    assert.equal((await rollout('api'))?.phase, 'soaking');

    // The canary hub is down: its configuration cannot be removed yet, so the deployment stays (deleted) for a while.
    hubs[0]!.failNext = unreachable();
    assert.ok(await stores().rolloutStatus.get('api'), 'a pass judged its conditions');
    await deleteDeployment(deps(20), 'api', 2);
    const ended = await rollout('api');
    assert.equal(ended?.phase, 'cancelled');
    assert.deepEqual([ended?.history.at(-1)?.from, ended?.history.at(-1)?.reason], ['soaking', 'DeploymentDeleted']);
    const shown = await status('api');
    assert.ok(shown.deletedAt, 'the deployment still shows, deleted');
    assert.deepEqual([shown.rollout?.phase, shown.rollout?.history.at(-1)?.reason], ['cancelled', 'DeploymentDeleted']);

    // Past the soak: a live rollout would start the next wave here.
    const report = await pass(400);
    assert.equal(report.ran && report.hubs.purged.length, 0, 'weu still holds the configuration');
    assert.equal((await rollout('api'))?.history.length, ended?.history.length, 'never advanced again');
    assert.deepEqual(configs('eus', 'api'), [], 'the later wave never received the revision, and the old one is removed');

    hubs[0]!.failNext = undefined;
    const purge = await pass(500);
    assert.ok(purge.ran && purge.hubs.purged.includes('api'));
    assert.deepEqual(configs('weu', 'api'), []);
    assert.equal(await rollout('api'), undefined, 'the rollout row went with the deployment');
    assert.equal(await stores().rolloutStatus.get('api'), undefined, 'and so did its conditions');

    // The id is free again; its new rollout starts afresh.
    await createDeployment(deps(600), body('api', 'nginx:2.0', twoWaves), 'application/json');
    const fresh = await rollout('api');
    assert.deepEqual([fresh?.revision, fresh?.phase, fresh?.history.length], [1, 'applying', 1]);
  });

  it('ends a rollout the delete request did not, at the next pass', async () => {
    hubs = [new MemoryHub('weu'), new MemoryHub('eus')];
    await createDeployment(deps(0), body('ops', 'nginx:1.25'), 'application/json');
    await replaceDeployment(deps(1), 'ops', 1, body('ops', 'nginx:1.26', twoWaves), 'application/json');
    await pass(10);
    hubs[0]!.failNext = unreachable();
    // As if the process died between deleting and ending the rollout.
    const { rollouts: _none, ...withoutRollouts } = deps(20);
    await deleteDeployment(withoutRollouts, 'ops', 2);
    assert.equal((await rollout('ops'))?.phase, 'soaking');

    await pass(30);
    const ended = await rollout('ops');
    assert.deepEqual([ended?.phase, ended?.history.at(-1)?.reason], ['cancelled', 'DeploymentDeleted']);
    await pass(40);
    assert.equal((await rollout('ops'))?.history.length, ended?.history.length, 'ended once');
  });
});
