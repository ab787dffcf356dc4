// Health ingestion through the real Table SDK into Azurite, with recorded-shape
// events: each kind, out-of-order and duplicate delivery, a replayed batch, a
// poison event among good ones, and storage failing in the middle of a batch.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { AzureNamedKeyCredential, TableClient } from '@azure/data-tables';
import { AZURITE_ACCOUNT, AZURITE_KEY, type AzuriteHandle, startAzurite } from '../../../local/azurite';
import { tableHealthStore } from '../../../shared/adapters/tables/tableHealthStore';
import { counterKey, healthPartition, hubPartitions } from '../../../shared/domain/health/healthKeys';
import { AppError } from '../../../shared/errors';
import { lruHealthCache } from '../../../shared/services/health/healthCache';
import type { HealthStore } from '../../../shared/services/health/healthStore';
import { type IngestDeps, ingestHealth, type PositionedEvent } from '../../../shared/services/health/ingestHealth';
import { azuriteTable } from '../../helpers/azuriteTable';
import { fixtureHubs, healthEvent } from '../../helpers/healthFixtures';
import { startTcpProxy, type TcpProxy } from '../../helpers/tcpProxy';

let tables = 0;

describe('health ingestion into Table storage', () => {
  let azurite: AzuriteHandle;
  before(async () => {
    azurite = await startAzurite();
  });
  after(async () => {
    await azurite.stop();
  });

  const fresh = (): IngestDeps & { store: HealthStore; deadLetters: TableClient } => {
    const n = ++tables;
    const deadLetters = azuriteTable(azurite, `deadletters${n}`);
    const store = tableHealthStore((name) => azuriteTable(azurite, name), deadLetters, `devicehealth${n}`);
    return { store, deadLetters, cache: lruHealthCache(10_000), offlineAfterSeconds: 600, parallelism: 4, hubs: fixtureHubs };
  };

  const device = async (deps: IngestDeps, deviceId: string, hub = 'weu-hub') => (await deps.store.readDevices(healthPartition(hub, deviceId), [deviceId])).get(deviceId);

  /** Everything stored for a hub: devices (without ETags) and counters (without ETags). */
  const snapshot = async (deps: IngestDeps, hub = 'weu-hub') => {
    const out: Record<string, unknown> = {};
    for (const partition of hubPartitions(hub)) {
      for (const [id, c] of await deps.store.readCounters(partition)) out[`${partition}/counter/${id}`] = { counts: c.counts, asOf: c.asOf };
      for await (const { deviceId, stored } of deps.store.silentDevices(partition, new Date(8.64e15))) out[`${partition}/device/${deviceId}`] = { record: stored.record, placement: stored.placement };
    }
    return out;
  };

  /** A device's life: deployment applied, agent reports it running, heartbeats, connection events. */
  const life = (deviceId: string): PositionedEvent[] => [
    healthEvent('connection-connected', { deviceId, version: 1, at: '2026-11-30T10:10:05.000Z' }),
    healthEvent('twin-change-edgeagent-desired', { deviceId, version: 10, at: '2026-11-30T10:14:30.000Z' }),
    healthEvent('twin-change-edgeagent-reported', {
      deviceId,
      version: 11,
      at: '2026-11-30T10:14:40.000Z',
      body: (b) => Object.assign((b.properties as { reported: Record<string, unknown> }).reported, { lastDesiredStatus: { code: 200 }, lastDesiredVersion: 3, modules: { sensor: { runtimeStatus: 'backoff', restartCount: 1, settings: { image: 'contoso.azurecr.io/sensor:1.4.2' } } } }),
    }),
    healthEvent('twin-change-edgeagent-reported', { deviceId, version: 12, at: '2026-11-30T10:15:02.000Z' }),
    healthEvent('heartbeat', { deviceId, at: '2026-11-30T10:16:00.000Z' }),
  ];

  it('stores each event kind and places the device under its applied configuration', async () => {
    const deps = fresh();
    const [connected, desired, , reported, heartbeat] = life('edge-0001');
    await ingestHealth(deps, [connected!, desired!]);
    let stored = await device(deps, 'edge-0001');
    assert.deepEqual(stored?.placement, { configurationId: 'sensors-r2', state: 'progressing' }, 'applied but not reported yet');
    assert.equal(stored?.record.connection?.connected, true);
    assert.equal(stored?.record.desiredVersion?.value, 4);

    const report = await ingestHealth(deps, [reported!, heartbeat!]);
    assert.equal(report.written, 1, 'two events of one device are one write');
    stored = await device(deps, 'edge-0001');
    assert.deepEqual(stored?.placement, { configurationId: 'sensors-r2', state: 'succeeded' });
    assert.equal(stored?.record.modules.sensor?.fields.runtimeStatus?.value, 'running');
    assert.equal(stored?.record.lastSeenAt, '2026-11-30T10:16:00.000Z', 'the heartbeat is the newest sign of life');
    const counters = await deps.store.readCounters(healthPartition('weu-hub', 'edge-0001'));
    assert.deepEqual(counters.get(counterKey('sensors-r2', 'p0'))?.counts, { succeeded: 1, progressing: 0, failed: 0, offline: 0, unknown: 0 });

    await ingestHealth(deps, [healthEvent('connection-disconnected', { version: 2, at: '2026-11-30T10:30:41.000Z' })]);
    await ingestHealth(deps, [healthEvent('connection-connected', { version: 1, at: '2026-11-30T10:10:05.000Z' })]);
    stored = await device(deps, 'edge-0001');
    assert.deepEqual(stored?.placement, { configurationId: 'sensors-r2', state: 'offline' }, 'an older connect does not undo a newer disconnect');
    assert.deepEqual((await deps.store.readCounters(healthPartition('weu-hub', 'edge-0001'))).get(counterKey('sensors-r2', 'p0'))?.counts, { succeeded: 0, progressing: 0, failed: 0, offline: 1, unknown: 0 });
    const listed = await deps.store.listDevices(healthPartition('weu-hub', 'edge-0001'), { configurationId: 'sensors-r2', state: 'offline', silentBefore: new Map(), pageSize: 10 });
    assert.deepEqual(listed.items.map((i) => i.deviceId), ['edge-0001']);
    assert.equal((await deps.store.listDevices(healthPartition('weu-hub', 'edge-0001'), { configurationId: 'sensors-r2', state: 'succeeded', silentBefore: new Map(), pageSize: 10 })).items.length, 0);
  });

  it('converges to the same state whatever the order and however often events arrive', async () => {
    const ids = Array.from({ length: 30 }, (_, i) => `edge-${String(i).padStart(4, '0')}`);
    const inOrder = ids.flatMap(life);
    const scrambled = [...inOrder].reverse().flatMap((e, i) => (i % 3 === 0 ? [e, e] : [e]));
    const a = fresh();
    const b = fresh();
    await ingestHealth(a, inOrder);
    // b gets them reversed, duplicated, and split over several batches.
    for (let i = 0; i < scrambled.length; i += 17) await ingestHealth(b, scrambled.slice(i, i + 17));
    assert.deepEqual(await snapshot(b), await snapshot(a));
    const counts = (await Promise.all(hubPartitions('weu-hub').map((p) => a.store.readCounters(p)))).map((m) => m.get(counterKey('sensors-r2', 'p0'))?.counts.succeeded ?? 0);
    assert.equal(counts.reduce((x, y) => x + y, 0), 30);
  });

  it('a replayed batch writes nothing and changes nothing', async () => {
    const deps = fresh();
    const batch = ['edge-0100', 'edge-0101', 'edge-0102'].flatMap(life);
    await ingestHealth(deps, batch);
    const before = await snapshot(deps);
    const again = await ingestHealth({ ...deps, cache: lruHealthCache(10_000) }, batch); // a new instance: nothing cached
    assert.equal(again.written, 0);
    assert.deepEqual(await snapshot(deps), before);
  });

  it('a poison event goes to the dead-letter table and the rest of the batch is stored', async () => {
    const deps = fresh();
    const poison = healthEvent('poison-twin-change', { deviceId: 'edge-0200', position: 4242, partitionId: '3' });
    const report = await ingestHealth(deps, [...life('edge-0200'), poison, healthEvent('twin-change-edgeagent-reported', { deviceId: 'edge-0201', version: 5 })]);
    assert.equal(report.deadLettered, 1);
    assert.equal((await device(deps, 'edge-0200'))?.placement.state, 'succeeded');
    assert.ok(await device(deps, 'edge-0201'));
    const letter = await deps.deadLetters.getEntity<Record<string, string>>('p3', '4242'.padStart(20, '0'));
    assert.match(letter.reason ?? '', /malformed twin change: version/);
    assert.equal(letter.partitionId, '3');
    assert.match(letter.body ?? '', /"lastDesiredVersion":"four"/);
  });

  it('storage failing mid-batch makes the invocation throw; the retried batch converges, nothing lost', async () => {
    const proxy: TcpProxy = await startTcpProxy(Number(new URL(azurite.tableEndpoint).port));
    try {
      const n = ++tables;
      const key = new AzureNamedKeyCredential(AZURITE_ACCOUNT, AZURITE_KEY);
      // No SDK retries: the outage must reach the ingest (the host's redelivery is the retry).
      const viaProxy = (name: string) => new TableClient(`http://127.0.0.1:${proxy.port}/${AZURITE_ACCOUNT}`, name, key, { allowInsecureConnection: true, retryOptions: { maxRetries: 0 } });
      const real = tableHealthStore(viaProxy, viaProxy(`deadletters${n}`), `devicehealth${n}`);
      let writes = 0;
      const store: HealthStore = {
        ...real,
        silentDevices: real.silentDevices.bind(real),
        write: async (...args) => {
          const result = await real.write(...args);
          if (++writes === 1) proxy.cut(); // the first transaction lands, then the network goes
          return result;
        },
      };
      const deps: IngestDeps = { store, cache: lruHealthCache(10_000), offlineAfterSeconds: 600, parallelism: 1, hubs: fixtureHubs };
      const batch = Array.from({ length: 40 }, (_, i) => `edge-${300 + i}`).flatMap(life);
      await assert.rejects(ingestHealth(deps, batch), (error: unknown) => error instanceof AppError && error.retryable);
      proxy.restore();
      await ingestHealth(deps, batch); // the host's redelivery
      const reference = fresh();
      await ingestHealth(reference, batch);
      assert.deepEqual(await snapshot({ ...deps, store: real }), await snapshot(reference));
    } finally {
      await proxy.stop();
    }
  });
});
