// Counters of a configuration no device is in any more (a superseded revision,
// once its devices moved on) are deleted by the stale sweep; one a device moves
// into again is made again, with the right counts.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type AzuriteHandle, startAzurite } from '../../../local/azurite';
import { tableHealthStore } from '../../../shared/adapters/tables/tableHealthStore';
import { counterKey, healthPartition, hubPartitions } from '../../../shared/domain/health/healthKeys';
import { lruHealthCache } from '../../../shared/services/health/healthCache';
import { type IngestDeps, ingestHealth } from '../../../shared/services/health/ingestHealth';
import { markSilentOffline } from '../../../shared/services/health/markSilentOffline';
import { azuriteTable } from '../../helpers/azuriteTable';
import { fixtureHubs, healthEvent, stampConfiguration } from '../../helpers/healthFixtures';

const HUB = 'weu';
const T0 = Date.parse('2026-12-02T10:00:00.000Z');
const iso = (seconds: number) => new Date(T0 + seconds * 1000).toISOString();

/** The device's agent got `configurationId` (version `version` of its desired properties) and runs it. */
const onConfiguration = (deviceId: string, configurationId: string, version: number, at: number) => [
  healthEvent('twin-change-edgeagent-desired', {
    hub: HUB,
    deviceId,
    version: version * 10,
    at: iso(at),
    body: (b) => {
      stampConfiguration(b, configurationId);
      (b.properties as { desired: { modules: unknown } }).desired.modules = { web: { status: 'running', settings: { image: `nginx:${version}` } } };
    },
  }),
  healthEvent('twin-change-edgeagent-reported', {
    hub: HUB,
    deviceId,
    version: version * 10 + 1,
    at: iso(at + 5),
    body: (b) => Object.assign((b.properties as { reported: Record<string, unknown> }).reported, { modules: { web: { runtimeStatus: 'running', settings: { image: `nginx:${version}` } } } }),
  }),
];

describe('empty health counters', () => {
  let azurite: AzuriteHandle;
  before(async () => {
    azurite = await startAzurite();
  });
  after(async () => azurite.stop());

  it('are deleted by the sweep, and made again when a device comes back to their configuration', async () => {
    const store = tableHealthStore((name) => azuriteTable(azurite, name), azuriteTable(azurite, 'emptydeadletters'), 'emptycounters');
    const deps: IngestDeps = { store, cache: lruHealthCache(1000), offlineAfterSeconds: 3600, parallelism: 2, hubs: fixtureHubs };
    const devices = Array.from({ length: 12 }, (_, i) => `edge-${i}`);
    const counted = async (configurationId: string) => {
      const rows = await Promise.all(hubPartitions(HUB).map(async (p) => (await store.readCounters(p)).get(counterKey(configurationId, 'p0'))));
      return rows.filter((c) => c !== undefined);
    };
    const sweep = () => markSilentOffline({ store, cache: lruHealthCache(100), hubs: [HUB], offlineAfterSeconds: 3600, now: () => new Date(T0 + 120_000) });

    await ingestHealth(deps, devices.flatMap((d) => onConfiguration(d, 'web-r1', 1, 0)));
    assert.equal((await counted('web-r1')).reduce((n, c) => n + c.counts.succeeded, 0), 12);
    assert.equal((await sweep()).emptyCountersDropped, 0, 'a counter with devices stays');

    // Every device moves on to revision 2: revision 1's counters are left at zero, then swept.
    await ingestHealth(deps, devices.flatMap((d) => onConfiguration(d, 'web-r2', 2, 30)));
    const emptied = await counted('web-r1');
    assert.ok(emptied.length > 0 && emptied.every((c) => c.counts.succeeded === 0), 'left behind at zero');
    const report = await sweep();
    assert.equal(report.emptyCountersDropped, emptied.length);
    assert.deepEqual(await counted('web-r1'), []);
    assert.equal((await counted('web-r2')).reduce((n, c) => n + c.counts.succeeded, 0), 12, 'the live counters are untouched');

    // A rollback: one device goes back to revision 1 (a newer desired version), through the ingestion cache that
    // still knew the deleted row: its guarded write finds the row gone, reloads, and makes it again.
    await ingestHealth(deps, onConfiguration('edge-0', 'web-r1', 3, 60));
    const back = await store.readCounters(healthPartition(HUB, 'edge-0'));
    assert.equal(back.get(counterKey('web-r1', 'p0'))?.counts.succeeded, 1);
    assert.equal((await counted('web-r2')).reduce((n, c) => n + c.counts.succeeded, 0), 11);
  });
});
