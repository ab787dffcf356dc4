// The reconcile pass over the real Table store and blob lease (Azurite) with
// in-memory hubs; the simulator-backed end-to-end runs are in the API tests.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ContainerClient } from '@azure/storage-blob';
import { blobPassLease } from '../../../shared/adapters/blobs/blobPassLease';
import { tableDeploymentStore } from '../../../shared/adapters/tables/tableDeploymentStore';
import { tableHubStatusStore } from '../../../shared/adapters/tables/tableHubStatusStore';
import { AppError } from '../../../shared/errors';
import type { DeploymentStore } from '../../../shared/services/deployments/deploymentStore';
import { fanOut } from '../../../shared/services/deployments/fanOut';
import type { HubFleet } from '../../../shared/services/deployments/hubRuntime';
import { reconcilePass } from '../../../shared/services/reconcile/reconcilePass';
import { type AzuriteHandle, startAzurite } from '../../../local/azurite';
import { memoryFleet, MemoryHub } from '../../helpers/memoryHub';
import { azuriteTable } from '../../helpers/azuriteTable';
import { buildConfiguration, configurationOf, newRevision, storedRevision } from '../../helpers/revisions';

const fleetOf = (hubs: MemoryHub[], maxConfigurations = 100, labels: Record<string, Record<string, string>> = {}): HubFleet => memoryFleet(hubs, { maxConfigurations, labels });

describe('reconcile pass', () => {
  let azurite: AzuriteHandle;
  let store: DeploymentStore;
  let container: ContainerClient;
  let table = 0;
  before(async () => {
    azurite = await startAzurite();
    container = new ContainerClient(azurite.connectionString, 'leases');
  });
  after(async () => azurite.stop());
  const freshStore = () => (store = tableDeploymentStore(azuriteTable(azurite, `deployments${++table}`)));
  const pass = (fleet: HubFleet, now = () => new Date(), budgetMs = 30_000) => reconcilePass(blobPassLease(container, `reconcile-${table}`), { store, configurationFor: buildConfiguration, fleet, budgetMs, now });

  it('restores a configuration deleted behind the app’s back, and leaves converged hubs alone', async () => {
    freshStore();
    const weu = new MemoryHub('weu');
    await store.create('web', newRevision('web', 1, ['weu']));
    await fanOut('web', await store.hubTargets('web'), { store, configurationFor: buildConfiguration, fleet: fleetOf([weu]) });
    await weu.delete('web-r1');
    const report = await pass(fleetOf([weu]));
    assert.ok(report.ran && report.summary.creates === 1);
    assert.ok(weu.configs.has('web-r1'));
    weu.calls.length = 0;
    const quiet = await pass(fleetOf([weu]));
    assert.ok(quiet.ran && quiet.summary.creates + quiet.summary.updates + quiet.summary.deletes === 0);
    assert.deepEqual(weu.calls, ['list']);
  });

  it('converges a hub that was down once it is back and its retry time has come', async () => {
    freshStore();
    const sea = new MemoryHub('sea');
    sea.failNext = { count: 1000, error: new AppError('HubUnreachable', 503, 'down') };
    await store.create('web', newRevision('web', 1, ['sea']));
    let clock = Date.parse('2026-11-24T12:00:00Z');
    const now = () => new Date(clock);
    await fanOut('web', await store.hubTargets('web'), { store, configurationFor: buildConfiguration, fleet: fleetOf([sea]), now });
    const down = await pass(fleetOf([sea]), now);
    assert.ok(down.ran && down.summary.unreachableHubs.includes('sea'));
    sea.failNext = undefined;
    const early = await pass(fleetOf([sea]), now);
    assert.ok(early.ran && early.hubs.hubs[0]!.skippedUntilLater === 1, 'retried before its backoff elapsed');
    clock += 20 * 60_000;
    await pass(fleetOf([sea]), now);
    assert.ok(sea.configs.has('web-r1'));
    assert.equal((await store.hubTargets('web'))[0]?.state, 'applied');
  });

  it('removes superseded and orphaned managed configurations, never foreign ones', async () => {
    freshStore();
    const weu = new MemoryHub('weu');
    await store.create('web', newRevision('web', 2, ['weu']));
    await weu.create(configurationOf(storedRevision('web', 1, []))); // superseded revision left behind
    await weu.create(configurationOf(storedRevision('ghost', 1, []))); // deployment that no longer exists
    await weu.create({ id: 'hand-made', content: { modulesContent: {} }, targetCondition: '', priority: 1, labels: { team: 'ops' } });
    await pass(fleetOf([weu]));
    assert.deepEqual([...weu.configs.keys()].sort(), ['hand-made', 'web-r2']);
  });

  it('records each hub’s last-known reachability, keeping the last contact while it is down', async () => {
    freshStore();
    const [weu, sea] = [new MemoryHub('weu'), new MemoryHub('sea')];
    const hubStatus = tableHubStatusStore(azuriteTable(azurite, `hubstatus${table}`));
    const fleet = fleetOf([weu, sea]);
    await reconcilePass(blobPassLease(container, `reconcile-${table}`), { store, configurationFor: buildConfiguration, fleet, budgetMs: 30_000, hubStatus, now: () => new Date('2026-11-24T12:00:00Z') });
    sea.failNext = { count: 100, error: new AppError('HubUnreachable', 503, 'connect ECONNREFUSED') };
    await reconcilePass(blobPassLease(container, `reconcile-${table}`), { store, configurationFor: buildConfiguration, fleet, budgetMs: 30_000, hubStatus, now: () => new Date('2026-11-24T12:01:00Z') });
    const statuses = Object.fromEntries((await hubStatus.all()).map((s) => [s.hub, s]));
    assert.equal(statuses.weu?.reachable, true);
    assert.equal(statuses.weu?.configurationCount, 0);
    assert.equal(statuses.sea?.reachable, false);
    assert.equal(statuses.sea?.checkedAt, '2026-11-24T12:01:00.000Z');
    assert.equal(statuses.sea?.lastContactAt, '2026-11-24T12:00:00.000Z');
    assert.match(statuses.sea?.lastError ?? '', /ECONNREFUSED|down|Unreachable/);
  });

  it('follows the selector when a matching hub joins the fleet, keeping the sync state of the others', async () => {
    freshStore();
    const [weu, neu] = [new MemoryHub('weu'), new MemoryHub('neu')];
    const geo = { weu: { geo: 'eu' }, neu: { geo: 'eu' } };
    await store.create('web', newRevision('web', 1, ['weu'], { hubSelector: { labels: { geo: 'eu' } } }));
    await pass(fleetOf([weu], 100, geo));
    const before = (await store.hubTargets('web')).find((t) => t.hub === 'weu')!;
    assert.equal(before.state, 'applied');
    await pass(fleetOf([weu, neu], 100, geo));
    assert.ok(neu.configs.has('web-r1'), 'the new eu hub got the deployment');
    const after = Object.fromEntries((await store.hubTargets('web')).map((t) => [t.hub, t]));
    assert.equal(after.neu?.state, 'applied');
    assert.equal(after.weu?.lastAttemptAt, before.lastAttemptAt, 'weu was not reset to pending');
  });

  it('records a clear error when the hub is full', async () => {
    freshStore();
    const weu = new MemoryHub('weu');
    await weu.create({ id: 'foreign-1', content: { modulesContent: {} }, targetCondition: '', priority: 1, labels: {} });
    await store.create('web', newRevision('web', 1, ['weu']));
    await pass(fleetOf([weu], 1));
    const [target] = await store.hubTargets('web');
    assert.equal(target?.state, 'failed');
    assert.equal(target?.lastError?.code, 'HubConfigurationLimitReached');
  });

  it('lets only one of two simultaneous passes do the work', async () => {
    freshStore();
    const weu = new MemoryHub('weu');
    await store.create('web', newRevision('web', 1, ['weu']));
    const [a, b] = await Promise.all([pass(fleetOf([weu])), pass(fleetOf([weu]))]);
    assert.equal([a, b].filter((r) => r.ran).length, 1);
    assert.equal(weu.calls.filter((c) => c.startsWith('create')).length, 1);
  });

  it('stops cleanly when its time budget is spent and finishes in the next pass', async () => {
    freshStore();
    const weu = new MemoryHub('weu');
    for (const id of ['a', 'b', 'c']) await store.create(id, newRevision(id, 1, ['weu']));
    const spent = await pass(fleetOf([weu]), () => new Date(), 0);
    assert.ok(spent.ran && spent.summary.budgetExceeded);
    await pass(fleetOf([weu]));
    assert.equal(weu.configs.size, 3);
  });

  it('removes a deleted deployment from every hub, then forgets it', async () => {
    freshStore();
    const [weu, eus] = [new MemoryHub('weu'), new MemoryHub('eus')];
    await store.create('web', newRevision('web', 1, ['weu', 'eus']));
    await fanOut('web', await store.hubTargets('web'), { store, configurationFor: buildConfiguration, fleet: fleetOf([weu, eus]) });
    await store.markDeleted('web', 1, new Date().toISOString());
    const report = await pass(fleetOf([weu, eus]));
    assert.ok(report.ran && report.hubs.purged.includes('web'));
    assert.equal(weu.configs.size + eus.configs.size, 0);
    assert.equal(await store.get('web'), undefined);
  });
});
