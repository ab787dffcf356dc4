// A mass disconnect is marked at the cost of the counters it moves, not of the
// devices (issue 18): 200 devices go silent together; the stale sweep writes one
// row per counter row, no device row, yet every reader still sees each silent
// device offline, and a device that speaks again is counted online at once,
// even when it speaks in the middle of the sweep. Real @azure/data-tables on
// Azurite; table requests are counted by a pipeline policy on the clients.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { TableClient, type TableServiceClientOptions } from '@azure/data-tables';
import { type AzuriteHandle, startAzurite } from '../../../local/azurite';
import { tableHealthStore } from '../../../shared/adapters/tables/tableHealthStore';
import { HEALTH_SHARDS, healthPartition, hubPartitions } from '../../../shared/domain/health/healthKeys';
import { lruHealthCache } from '../../../shared/services/health/healthCache';
import { deviceHealthView, healthDeviceCounts, listDeploymentDevices } from '../../../shared/services/health/healthQueries';
import type { HealthStore } from '../../../shared/services/health/healthStore';
import { type IngestDeps, ingestHealth } from '../../../shared/services/health/ingestHealth';
import { markSilentOffline } from '../../../shared/services/health/markSilentOffline';
import { fixtureHubs, healthEvent, rolledOutWeb } from '../../helpers/healthFixtures';

type PipelinePolicy = NonNullable<TableServiceClientOptions['additionalPolicies']>[number]['policy'];

const HUB = 'weu-hub';
const T0 = Date.parse('2026-11-30T10:00:00.000Z');
const iso = (ms: number) => new Date(T0 + ms).toISOString();
const OFFLINE_AFTER_S = 600;
const DEVICES = Array.from({ length: 220 }, (_, i) => `edge-${String(i).padStart(4, '0')}`);
const SILENT = DEVICES.slice(0, 200);
const LIVE = DEVICES.slice(200);
/** Two deployments' devices on one hub: at most 2 configurations x 8 shards counter rows to move (one writer, partition 0). */
const configurationOf = (deviceId: string) => (Number(deviceId.slice(-4)) % 2 ? 'web-r1' : 'api-r1');

const rolledOut = (deviceId: string) => rolledOutWeb(HUB, deviceId, configurationOf(deviceId), iso(0), iso(10_000));
const heartbeat = (deviceId: string, at: number) => healthEvent('heartbeat', { hub: HUB, deviceId, at: iso(at) });

describe('mass disconnect: marked by counter watermarks', () => {
  let azurite: AzuriteHandle;
  before(async () => {
    azurite = await startAzurite();
  });
  after(async () => azurite.stop());

  let tables = 0;
  /** A store whose table clients count the requests they send, by HTTP method. */
  const countedStore = () => {
    const n = ++tables;
    const sent = { reads: 0, writes: 0 };
    const counting: PipelinePolicy = {
      name: 'countTableRequests',
      sendRequest: (request, next) => {
        if (request.method === 'GET') sent.reads++;
        else sent.writes++; // $batch (POST), PUT, MERGE, PATCH, DELETE
        return next(request);
      },
    };
    const client = (name: string) => TableClient.fromConnectionString(azurite.connectionString, name, { allowInsecureConnection: true, additionalPolicies: [{ policy: counting, position: 'perCall' }] });
    return { store: tableHealthStore(client, client(`deadletters${n}`), `massdisconnect${n}`), sent };
  };

  const seed = async (store: HealthStore) => {
    const ingest: IngestDeps = { store, cache: lruHealthCache(1000), offlineAfterSeconds: OFFLINE_AFTER_S, parallelism: 4, hubs: fixtureHubs };
    await ingestHealth(ingest, DEVICES.flatMap(rolledOut));
    // The live ones keep beating; the 200 others went silent together after T0 + 10 s.
    await ingestHealth(ingest, LIVE.map((d) => heartbeat(d, 20 * 60_000)));
    return ingest;
  };
  const clock = T0 + 21 * 60_000;
  const sweepAt = (store: HealthStore, at = clock) => markSilentOffline({ store, cache: lruHealthCache(100), hubs: [HUB], offlineAfterSeconds: OFFLINE_AFTER_S, now: () => new Date(at) });
  const fallback = { count: () => Promise.reject(new Error('health has the counts')) };
  const countsOf = async (store: HealthStore) => {
    const counts = healthDeviceCounts(store, () => [HUB], fallback);
    const [web, api] = [await counts.count('web', 1), await counts.count('api', 1)];
    const sum = (s: 'succeeded' | 'offline') => (web.byHub.get(HUB)?.[s] ?? 0) + (api.byHub.get(HUB)?.[s] ?? 0);
    return { succeeded: sum('succeeded'), offline: sum('offline') };
  };
  const listed = async (store: HealthStore, state: 'offline' | 'succeeded') => {
    const ids: string[] = [];
    for (const deploymentId of ['web', 'api']) {
      let token: string | undefined;
      do {
        const page = await listDeploymentDevices(store, { hubs: [HUB], deploymentId, revision: 1, state, pageSize: 37, ...(token ? { continuationToken: token } : {}) });
        ids.push(...page.items.map((i) => i.deviceId));
        token = page.continuationToken;
      } while (token);
    }
    return ids.sort();
  };
  const etags = async (store: HealthStore) => {
    const out = new Map<string, string>();
    for (const partition of hubPartitions(HUB)) for (const [id, d] of await store.readDevices(partition, DEVICES.filter((x) => healthPartition(HUB, x) === partition))) out.set(id, d.etag);
    return out;
  };

  it('writes one row per counter moved, no device row, and every reader still sees each silent device offline', async () => {
    const { store, sent } = countedStore();
    const ingest = await seed(store);
    assert.deepEqual(await countsOf(store), { succeeded: 220, offline: 0 });
    const before = await etags(store);

    const writesBefore = sent.writes;
    const report = await sweepAt(store);
    const sweepWrites = sent.writes - writesBefore;
    console.log(`mass disconnect: ${report.markedOffline} devices marked offline with ${sweepWrites} table write requests (${report.countersMoved} counter rows in ${report.counterTransactions} transactions)`);
    assert.equal(report.markedOffline, 200);
    // Bounded by the counter rows (2 configurations x 8 shards), not the 200 devices; one transaction per partition.
    assert.ok(report.countersMoved <= 2 * HEALTH_SHARDS, `${report.countersMoved} counter rows`);
    assert.ok(sweepWrites <= HEALTH_SHARDS, `${sweepWrites} write requests`);
    assert.deepEqual(await etags(store), before, 'no device row was written');

    // Counts (what /status and the rollout gates read), the device lists and each device's own health all say offline.
    assert.deepEqual(await countsOf(store), { succeeded: 20, offline: 200 });
    assert.deepEqual(await listed(store, 'offline'), SILENT);
    assert.deepEqual(await listed(store, 'succeeded'), LIVE);
    for (const deviceId of [SILENT[0]!, SILENT[199]!]) {
      const stored = (await store.readDevices(healthPartition(HUB, deviceId), [deviceId])).get(deviceId)!;
      assert.equal(deviceHealthView(stored, new Date(clock), OFFLINE_AFTER_S).state, 'offline');
    }

    // A second sweep moves nothing and writes nothing but what it always did.
    const again = sent.writes;
    assert.equal((await sweepAt(store)).markedOffline, 0);
    assert.equal(sent.writes, again, 'nothing new to mark: no write');

    // One device speaks again, through an ingestion whose cache predates the sweep: counted online at once.
    await ingestHealth(ingest, [heartbeat(SILENT[7]!, 22 * 60_000)]);
    assert.deepEqual(await countsOf(store), { succeeded: 21, offline: 199 });
    assert.ok((await listed(store, 'succeeded')).includes(SILENT[7]!));
    assert.ok(!(await listed(store, 'offline')).includes(SILENT[7]!));

    // A replay of its old events after it went silent again counts nothing twice.
    await ingestHealth({ ...ingest, cache: lruHealthCache(1000) }, rolledOut(SILENT[8]!));
    assert.deepEqual(await countsOf(store), { succeeded: 21, offline: 199 });
  });

  it('a device that speaks while the sweep counts makes the sweep count again, and is counted online', async () => {
    const { store: real } = countedStore();
    const ingest = await seed(real);
    const returning = SILENT[3]!;
    let spoke = false;
    // The sweep's own port, wrapped: the device's heartbeat is ingested after the sweep read its counters and began counting.
    const racing: HealthStore = {
      ...real,
      async *silentPlacements(partition, cutoff) {
        for await (const device of real.silentPlacements(partition, cutoff)) {
          if (!spoke && partition === healthPartition(HUB, returning)) {
            spoke = true;
            await ingestHealth(ingest, [heartbeat(returning, 20 * 60_000 + 30_000)]);
          }
          yield device;
        }
      },
    };
    const report = await sweepAt(racing);
    assert.ok(spoke);
    assert.ok(report.conflicts >= 1, 'the sweep lost the race once');
    assert.equal(report.partitionsDeferred, 0);
    assert.equal(report.markedOffline, 199);
    assert.deepEqual(await countsOf(real), { succeeded: 21, offline: 199 });
    assert.ok(!(await listed(real, 'offline')).includes(returning));
  });
});
