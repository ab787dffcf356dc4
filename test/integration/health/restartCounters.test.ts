// The counters' `restarts` column through the real Table SDK into Azurite: a
// device's module restarts move with it exactly as its state count does, in the
// same transaction, and a counter row written before the column existed reads 0.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type AzuriteHandle, startAzurite } from '../../../local/azurite';
import { tableHealthStore } from '../../../shared/adapters/tables/tableHealthStore';
import { counterKey, counterRowKey, healthPartition, healthTableName, hubPartitions } from '../../../shared/domain/health/healthKeys';
import { lruHealthCache } from '../../../shared/services/health/healthCache';
import { healthDeviceCounts } from '../../../shared/services/health/healthQueries';
import type { HealthStore } from '../../../shared/services/health/healthStore';
import { type IngestDeps, ingestHealth, type PositionedEvent } from '../../../shared/services/health/ingestHealth';
import { azuriteTable } from '../../helpers/azuriteTable';
import { fixtureHubs, healthEvent, stampConfiguration } from '../../helpers/healthFixtures';

const HUB = 'weu-hub';
let tables = 0;

describe('restart counters', () => {
  let azurite: AzuriteHandle;
  before(async () => {
    azurite = await startAzurite();
  });
  after(async () => {
    await azurite.stop();
  });

  const fresh = (): IngestDeps & { store: HealthStore; prefix: string } => {
    const prefix = `restarts${++tables}`;
    const store = tableHealthStore((name) => azuriteTable(azurite, name), azuriteTable(azurite, `deadletters${prefix}`), prefix);
    return { store, prefix, cache: lruHealthCache(10_000), offlineAfterSeconds: 600, parallelism: 4, hubs: fixtureHubs };
  };

  /** A configuration's counters summed over the hub's shards, as the rollout step reads them. */
  const counted = async (deps: IngestDeps, configurationId: string) => {
    let restarts = 0;
    let devices = 0;
    for (const partition of hubPartitions(HUB)) {
      const c = (await deps.store.readCounters(partition)).get(counterKey(configurationId, 'p0'));
      restarts += c?.restarts ?? 0;
      devices += c ? c.counts.succeeded + c.counts.progressing + c.counts.failed + c.counts.offline + c.counts.unknown : 0;
    }
    return { restarts, devices };
  };

  /** IoT Hub gives the device `configurationId` at desired `$version` `desiredVersion`. */
  const applied = (deviceId: string, configurationId: string, desiredVersion: number, twinVersion: number): PositionedEvent =>
    healthEvent('twin-change-edgeagent-desired', {
      deviceId,
      version: twinVersion,
      at: `2026-11-30T10:${String(twinVersion).padStart(2, '0')}:00.000Z`,
      body: (b) => {
        stampConfiguration(b, configurationId);
        (b.properties as { desired: Record<string, unknown> }).desired.$version = desiredVersion;
      },
    });
  /** The agent reports on `desiredVersion`: its module `sensor` restarted `restartCount` times. */
  const reported = (deviceId: string, desiredVersion: number, restartCount: number, twinVersion: number, runtimeStatus = 'running'): PositionedEvent =>
    healthEvent('twin-change-edgeagent-reported', {
      deviceId,
      version: twinVersion,
      at: `2026-11-30T10:${String(twinVersion).padStart(2, '0')}:30.000Z`,
      body: (b) => Object.assign((b.properties as { reported: Record<string, unknown> }).reported, { lastDesiredVersion: desiredVersion, modules: { sensor: { runtimeStatus, restartCount, settings: { image: 'contoso.azurecr.io/sensor:1.4.2' } } } }),
    });

  it('moves a device\'s restarts with its writes: within a state, across states, and to a new configuration', async () => {
    const deps = fresh();
    await ingestHealth(deps, [applied('edge-a', 'sensors-r2', 4, 10), reported('edge-a', 4, 2, 11), applied('edge-b', 'sensors-r2', 4, 10), reported('edge-b', 4, 1, 11)]);
    assert.deepEqual(await counted(deps, 'sensors-r2'), { restarts: 3, devices: 2 });

    await ingestHealth(deps, [reported('edge-a', 4, 5, 12)]);
    assert.deepEqual(await counted(deps, 'sensors-r2'), { restarts: 6, devices: 2 }, 'more restarts in the same state');

    await ingestHealth(deps, [reported('edge-a', 4, 7, 13, 'backoff')]);
    const partition = healthPartition(HUB, 'edge-a');
    assert.deepEqual((await deps.store.readCounters(partition)).get(counterKey('sensors-r2', 'p0'))?.counts.failed, 1, 'crash-looping: failed');
    assert.deepEqual(await counted(deps, 'sensors-r2'), { restarts: 8, devices: 2 }, 'a state change carries the restarts along');

    await ingestHealth(deps, [healthEvent('connection-disconnected', { deviceId: 'edge-a', version: 5, at: '2026-11-30T10:14:00.000Z' })]);
    assert.deepEqual(await counted(deps, 'sensors-r2'), { restarts: 8, devices: 2 }, 'an offline device keeps the restarts it reported');

    // A new revision: until the agent reports on it, the modules it reports are the old one's.
    await ingestHealth(deps, [applied('edge-b', 'sensors-r3', 5, 20)]);
    assert.deepEqual(await counted(deps, 'sensors-r2'), { restarts: 7, devices: 1 });
    assert.deepEqual(await counted(deps, 'sensors-r3'), { restarts: 0, devices: 1 }, 'the old image\'s restarts are not the new revision\'s');
    await ingestHealth(deps, [reported('edge-b', 5, 3, 21)]);
    assert.deepEqual(await counted(deps, 'sensors-r3'), { restarts: 3, devices: 1 });

    const counts = healthDeviceCounts(deps.store, () => [HUB], { count: () => assert.fail('health has the counts') });
    assert.equal((await counts.count('sensors', 2)).restartsByHub?.get(HUB), 7);
    assert.equal((await (await counts.prefetch!()).count('sensors', 3)).restartsByHub?.get(HUB), 3);
  });

  it('reads a counter row written before restarts were counted as 0 and never takes it below 0', async () => {
    const deps = fresh();
    const partition = healthPartition(HUB, 'edge-old');
    await ingestHealth(deps, [applied('edge-old', 'sensors-r2', 4, 10), reported('edge-old', 4, 4, 11)]);
    // Rewrite the counter row as the code before this column wrote it.
    const table = azuriteTable(azurite, healthTableName(deps.prefix, HUB));
    await table.upsertEntity({ partitionKey: partition, rowKey: counterRowKey('sensors-r2', 'p0'), configurationId: 'sensors-r2', succeeded: 1, progressing: 0, failed: 0, offline: 0, unknown: 0, asOf: '2026-11-30T10:11:30.000Z' }, 'Replace');
    const fresher = { ...deps, cache: lruHealthCache(10_000) };
    assert.equal((await fresher.store.readCounters(partition)).get(counterKey('sensors-r2', 'p0'))?.restarts, 0);

    await ingestHealth(fresher, [reported('edge-old', 4, 6, 12)]);
    assert.equal((await counted(fresher, 'sensors-r2')).restarts, 2, 'counts from the next write on');
    await ingestHealth(fresher, [applied('edge-old', 'sensors-r3', 5, 20)]);
    assert.deepEqual(await counted(fresher, 'sensors-r2'), { restarts: 0, devices: 0 }, 'clamped at 0, like the state counts');
  });
});
