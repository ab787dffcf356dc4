// Devices that go silent are offline, not failed: ingested health in Azurite,
// the reconciler's stale sweep and its rollout conditions, on a moved clock.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ContainerClient } from '@azure/storage-blob';
import { type AzuriteHandle, startAzurite } from '../../../local/azurite';
import { blobPassLease } from '../../../shared/adapters/blobs/blobPassLease';
import { tableDeploymentStore } from '../../../shared/adapters/tables/tableDeploymentStore';
import { tableHealthStore } from '../../../shared/adapters/tables/tableHealthStore';
import { tableRolloutStatusStore } from '../../../shared/adapters/tables/tableRolloutStatusStore';
import { lruHealthCache } from '../../../shared/services/health/healthCache';
import { healthDeviceCounts } from '../../../shared/services/health/healthQueries';
import { type IngestDeps, ingestHealth } from '../../../shared/services/health/ingestHealth';
import { markSilentOffline } from '../../../shared/services/health/markSilentOffline';
import { reconcilePass } from '../../../shared/services/reconcile/reconcilePass';
import { azuriteTable } from '../../helpers/azuriteTable';
import { fixtureHubs, healthEvent, rolledOutWeb } from '../../helpers/healthFixtures';
import { memoryFleet, MemoryHub } from '../../helpers/memoryHub';
import { buildConfiguration, newRevision } from '../../helpers/revisions';

const HUB = 'weu-hub';
const T0 = Date.parse('2026-11-30T10:00:00.000Z');
const iso = (ms: number) => new Date(T0 + ms).toISOString();

describe('silent devices are offline, not failed', () => {
  let azurite: AzuriteHandle;
  before(async () => {
    azurite = await startAzurite();
  });
  after(async () => azurite.stop());

  it('moves devices silent past the threshold to offline, keeps the rollout healthy, and recomputes them when they speak again', async () => {
    const store = tableDeploymentStore(azuriteTable(azurite, 'deployments'));
    const rolloutStatus = tableRolloutStatusStore(azuriteTable(azurite, 'rolloutstatus'));
    const health = tableHealthStore((name) => azuriteTable(azurite, name), azuriteTable(azurite, 'healthdeadletters'));
    const ingest: IngestDeps = { store: health, cache: lruHealthCache(1000), offlineAfterSeconds: 600, parallelism: 4, hubs: fixtureHubs };
    const first = newRevision('web', 1, [HUB]);
    await store.create('web', first);
    const devices = ['d1', 'd2', 'd3', 'd4', 'd5'];
    // Every device gets revision 1 applied and reports it running at T0 + 10 s.
    const rolledOut = (deviceId: string) => rolledOutWeb(HUB, deviceId, 'web-r1', iso(0), iso(10_000));
    await ingestHealth(ingest, devices.flatMap(rolledOut));
    // d1 and d2 keep sending heartbeats; d3..d5 go quiet.
    await ingestHealth(ingest, ['d1', 'd2'].map((deviceId) => healthEvent('heartbeat', { hub: HUB, deviceId, at: iso(9 * 60_000) })));

    const clock = T0 + 11 * 60_000;
    const counts = healthDeviceCounts(health, () => [HUB], { count: () => Promise.reject(new Error('health has the counts')) });
    const pass = () =>
      reconcilePass(blobPassLease(new ContainerClient(azurite.connectionString, 'leases'), 'reconcile'), {
        store,
        configurationFor: buildConfiguration,
        fleet: memoryFleet([new MemoryHub(HUB)]),
        budgetMs: 30_000,
        deviceCounts: counts,
        rolloutStatus,
        sweepSilentDevices: ({ deadline }) => markSilentOffline({ ...ingest, hubs: [HUB], offlineAfterSeconds: 600, now: () => new Date(clock), deadline }),
        now: () => new Date(clock),
      });

    const report = await pass();
    assert.ok(report.ran);
    assert.equal(report.summary.devicesMarkedOffline, 3);
    const after = await counts.count('web', 1);
    assert.deepEqual(after.byHub.get(HUB), { succeeded: 2, progressing: 0, failed: 0, offline: 3, unknown: 0 });
    const conditions = Object.fromEntries(((await rolloutStatus.get('web'))?.conditions ?? []).map((c) => [c.type, c.status]));
    assert.equal(conditions.Degraded, 'False', 'offline devices never make a rollout fail');

    // A second pass finds nothing new to mark.
    assert.equal((await pass()).ran && (await counts.count('web', 1)).byHub.get(HUB)?.offline, 3);

    // d3 speaks again: its state is recomputed from its events.
    await ingestHealth(ingest, [healthEvent('heartbeat', { hub: HUB, deviceId: 'd3', at: iso(12 * 60_000) })]);
    assert.deepEqual((await counts.count('web', 1)).byHub.get(HUB), { succeeded: 3, progressing: 0, failed: 0, offline: 2, unknown: 0 });

    // A replayed old event does not undo the sweep for a device that is still silent.
    await ingestHealth({ ...ingest, cache: lruHealthCache(1000) }, rolledOut('d4'));
    assert.equal((await counts.count('web', 1)).byHub.get(HUB)?.offline, 2);
  });
});
