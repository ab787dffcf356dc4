// Scale-out: two local Functions hosts (child processes, each its own
// instance) consume the same Event Hub and consumer group with blob
// checkpoints in Azurite and the SDK's partition load balancing, as Function
// instances do. One is killed with SIGKILL mid-stream; the other takes its
// partitions over once their ownership expires and gets, at least once, what
// the dead one had not checkpointed. A third host, alone on another consumer
// group with its own storage, computes the same events as a single instance.
// Afterwards every device row and every counter row of the pair's storage
// equals the single host's: nothing lost, nothing counted twice.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { TableClient } from '@azure/data-tables';
import { EventHubProducerClient } from '@azure/event-hubs';
import { BlobCheckpointStore } from '@azure/eventhubs-checkpointstore-blob';
import { ContainerClient } from '@azure/storage-blob';
import { type AzuriteHandle, startAzurite } from '../../../local/azurite';
import { type EventHubsEndpoint, startEventHubsEndpoint } from '../../../local/eventhubs';
import { type IotHubSimulatorHandle, startIotHubSimulator } from '../../../local/iothub';
import { readChunked } from '../../../shared/adapters/tables/chunkedJson';
import { healthTableName } from '../../../shared/domain/health/healthKeys';
import { waitFor } from '../../helpers/fixtureApp';
import { healthEvent, type HealthFixture, type Readdress, stampConfiguration } from '../../helpers/healthFixtures';
import { type HostProcess, startHostProcess } from '../../helpers/hostProcess';
import { sendHealthEvents } from '../../helpers/sendHealthEvents';

const EVENT_HUB = 'device-health';
const PARTITIONS = 4;
const DEVICES = 120;
/** Short ownership expiry so a killed host's partitions move within seconds (the SDK's default is 60 s). */
const LOAD_BALANCING = { updateIntervalInMs: 500, partitionOwnershipExpirationIntervalInMs: 3000 };

describe('health ingestion scale-out: two hosts, one killed mid-stream', () => {
  let endpoint: EventHubsEndpoint;
  let pairStorage: AzuriteHandle;
  let singleStorage: AzuriteHandle;
  let iothub: IotHubSimulatorHandle;
  let producer: EventHubProducerClient;
  const hosts: HostProcess[] = [];

  const settings = (storage: AzuriteHandle, consumerGroup: string): Record<string, string> => ({
    AzureWebJobsStorage: storage.connectionString,
    FleetStorage: storage.connectionString,
    HUBS: JSON.stringify(iothub.hubs.map((h) => ({ name: h.name, region: h.region, labels: h.labels, connection: h.connectionString, local: { endpoint: h.localEndpoint, caFile: h.caFile } }))),
    HEALTH_EVENTHUB_NAME: EVENT_HUB,
    HEALTH_EVENTHUB_CONSUMER_GROUP: consumerGroup,
    HealthEventHub: endpoint.connectionString(),
    RECONCILE_SCHEDULE: '0 0 0 1 1 *',
    LOCAL_DEV: 'true',
  });

  before(async () => {
    [endpoint, pairStorage, singleStorage] = await Promise.all([
      startEventHubsEndpoint({ port: 0, hubs: [{ name: EVENT_HUB, partitions: PARTITIONS, consumerGroups: ['pair', 'single'] }] }),
      startAzurite(),
      startAzurite(),
    ]);
    iothub = await startIotHubSimulator({ fleet: 0, seed: 5 });
    producer = new EventHubProducerClient(endpoint.connectionString(), EVENT_HUB);
  });
  after(async () => {
    await Promise.all(hosts.map((h) => h.stop()));
    await producer.close();
    await iothub.stop();
    await endpoint.stop();
    await Promise.all([pairStorage.stop(), singleStorage.stop()]);
  });

  const store = (storage: AzuriteHandle) => new BlobCheckpointStore(new ContainerClient(storage.connectionString, 'azure-webjobs-eventhub'));
  const owners = async (consumerGroup: string) => {
    const now = Date.now();
    const owned = await store(pairStorage).listOwnership(producer.fullyQualifiedNamespace, EVENT_HUB, consumerGroup);
    return owned.filter((o) => now - (o.lastModifiedTimeInMs ?? 0) < LOAD_BALANCING.partitionOwnershipExpirationIntervalInMs).map((o) => o.ownerId);
  };
  const checkpointed = async (storage: AzuriteHandle, consumerGroup: string) =>
    new Map((await store(storage).listCheckpoints(producer.fullyQualifiedNamespace, EVENT_HUB, consumerGroup)).map((c) => [c.partitionId, c.sequenceNumber]));

  /** The events of the run: six rounds over every device, versions and times growing per device. */
  function rounds(): { partitionId: string; events: ReturnType<typeof healthEvent>[] }[][] {
    const hubs = iothub.hubs.filter((h) => h.name !== 'sea').map((h) => h.resourceName);
    let clock = Date.now() - 600_000;
    const ev = (name: HealthFixture, hub: string, deviceId: string, options: Omit<Readdress, 'hub' | 'deviceId' | 'at'> = {}) => healthEvent(name, { hub, deviceId, at: new Date((clock += 7)).toISOString(), ...options });
    const r2 = (b: Record<string, unknown>) => {
      stampConfiguration(b, 'scale-r2');
      const desired = (b.properties as { desired: { modules: { sensor: { settings: { image: string } } }; $version: number } }).desired;
      desired.modules.sensor.settings.image = 'contoso.azurecr.io/sensor:2.0.0';
      desired.$version = 5;
    };
    const reportedR2 = (b: Record<string, unknown>) => {
      const reported = (b.properties as { reported: { lastDesiredVersion: number; modules: { sensor: { settings: { image: string } } } } }).reported;
      reported.lastDesiredVersion = 5;
      reported.modules.sensor.settings.image = 'contoso.azurecr.io/sensor:2.0.0';
    };
    const perDevice = Array.from({ length: DEVICES }, (_, i) => {
      const hub = hubs[i % hubs.length]!;
      const id = `scale-${String(i).padStart(4, '0')}`;
      const last: Record<number, () => ReturnType<typeof healthEvent>[]> = {
        0: () => [ev('twin-change-system-module-failed', hub, id, { version: 23 })],
        1: () => [ev('connection-disconnected', hub, id, { version: 2 })],
        2: () => [ev('lifecycle-delete-device', hub, id)],
        3: () => [ev('heartbeat', hub, id)],
        4: () => [ev('twin-change-reported-patch', hub, id, { version: 23, body: (b) => (((b.properties as { reported: { modules: { sensor: { restartCount: number } } } }).reported.modules.sensor.restartCount = 2)) })],
      };
      return {
        partitionId: String(i % PARTITIONS),
        rounds: [
          () => [ev('lifecycle-create-device', hub, id), ev('connection-connected', hub, id, { version: 1 }), ev('twin-change-edgeagent-desired', hub, id, { version: 10, body: (b) => stampConfiguration(b, 'scale-r1') })],
          () => [ev('twin-change-edgeagent-reported', hub, id, { version: 12 })],
          () => [ev('twin-change-reported-patch', hub, id, { version: 13 })],
          () => [ev('twin-change-edgeagent-desired', hub, id, { version: 20, body: r2 })],
          () => [ev('twin-change-edgeagent-reported', hub, id, { version: 22, body: reportedR2 })],
          last[i % 5]!,
        ],
      };
    });
    return Array.from({ length: 6 }, (_, round) =>
      Array.from({ length: PARTITIONS }, (_, p) => ({ partitionId: String(p), events: perDevice.filter((d) => d.partitionId === String(p)).flatMap((d) => d.rounds[round]!()) })),
    );
  }
  const sendRound = (round: { partitionId: string; events: ReturnType<typeof healthEvent>[] }[]) => Promise.all(round.map((p) => sendHealthEvents(producer, p.events, { partitionId: p.partitionId })));

  /** Every row of a hub's health table: device rows as record + placement + writer, counter rows as counts + restarts. */
  async function snapshot(storage: AzuriteHandle) {
    const out: Record<string, unknown> = {};
    for (const hub of iothub.hubs) {
      const table = TableClient.fromConnectionString(storage.connectionString, healthTableName('devicehealth', hub.name), { allowInsecureConnection: true });
      try {
        for await (const row of table.listEntities<Record<string, unknown>>()) {
          const key = `${hub.name}/${row.partitionKey}/${row.rowKey}`;
          if (String(row.rowKey).startsWith('d~')) out[key] = { record: readChunked('record', row), state: row.state, configurationId: row.configurationId, counter: row.counter };
          else out[key] = { succeeded: row.succeeded, progressing: row.progressing, failed: row.failed, offline: row.offline, unknown: row.unknown, restarts: row.restarts };
        }
      } catch (error) {
        if ((error as { statusCode?: number }).statusCode !== 404) throw error;
      }
    }
    return out;
  }

  it('converges to exactly what one host computes from the same events', async () => {
    const all = rounds();
    const single = await startHostProcess('single', { settings: settings(singleStorage, 'single') });
    hosts.push(single);
    const a = await startHostProcess('host-a', { settings: settings(pairStorage, 'pair'), eventHubLoadBalancing: LOAD_BALANCING });
    hosts.push(a);
    const b = await startHostProcess('host-b', { settings: settings(pairStorage, 'pair'), eventHubLoadBalancing: LOAD_BALANCING });
    hosts.push(b);
    // Balanced: both instances own partitions before anything is sent.
    await waitFor(async () => {
      const o = await owners('pair');
      const byOwner = new Map<string, number>();
      for (const id of o) byOwner.set(id, (byOwner.get(id) ?? 0) + 1);
      return o.length === PARTITIONS && byOwner.size === 2 && [...byOwner.values()].every((n) => n === PARTITIONS / 2) ? true : undefined;
    }, 30_000, 'the two hosts to share the partitions');

    const ingestedBy = (host: HostProcess) => host.logs.filter((l) => l.message.includes('"health.ingest"')).reduce((n, l) => n + Number((JSON.parse(l.message) as { events?: number }).events ?? 0), 0);
    for (const round of all.slice(0, 3)) await sendRound(round);
    await waitFor(() => (ingestedBy(a) > 0 && ingestedBy(b) > 0 ? true : undefined), 30_000, 'both hosts to ingest');
    // Mid-stream: the fourth round is on its way when host A dies without a word.
    const fourth = sendRound(all[3]!);
    await a.kill();
    await fourth;
    for (const round of all.slice(4)) await sendRound(round);

    const last = new Map<string, number>();
    for (let p = 0; p < PARTITIONS; p++) last.set(String(p), (await producer.getPartitionProperties(String(p))).lastEnqueuedSequenceNumber);
    const caughtUp = async (storage: AzuriteHandle, group: string) => {
      const at = await checkpointed(storage, group);
      return [...last].every(([p, n]) => at.get(p) === n);
    };
    await waitFor(async () => ((await caughtUp(pairStorage, 'pair')) && (await caughtUp(singleStorage, 'single')) ? true : undefined), 90_000, 'both consumer groups to checkpoint every event');
    assert.deepEqual(new Set(await owners('pair')).size, 1, 'the survivor owns every partition');
    const sent = all.flat().reduce((n, p) => n + p.events.length, 0);
    // A's log lines in flight when it died are lost with it, so "replayed" is a lower bound.
    console.log(`scale-out: ${sent} events sent; host A ingested ${ingestedBy(a)} before it was killed, host B ${ingestedBy(b)} (at least ${ingestedBy(a) + ingestedBy(b) - sent} delivered twice), the single host ${ingestedBy(single)}`);

    const pair = await snapshot(pairStorage);
    const alone = await snapshot(singleStorage);
    assert.deepEqual(pair, alone, 'every device row and counter row equals the single host’s');

    // And the single host's counts are the devices' own: each device counted once, where it is.
    const counted = new Map<string, number>();
    const placed = new Map<string, number>();
    for (const [key, value] of Object.entries(alone)) {
      const v = value as Record<string, string | number | undefined>;
      if (key.split('/')[2]!.startsWith('d~')) {
        if (v.configurationId) placed.set(`${v.configurationId}/${String(v.state)}`, (placed.get(`${v.configurationId}/${String(v.state)}`) ?? 0) + 1);
        continue;
      }
      const configuration = key.split('/')[2]!.split('~')[1]!;
      for (const state of ['succeeded', 'progressing', 'failed', 'offline', 'unknown']) {
        const n = Number(v[state] ?? 0);
        if (n) counted.set(`${configuration}/${state}`, (counted.get(`${configuration}/${state}`) ?? 0) + n);
      }
    }
    assert.deepEqual(Object.fromEntries([...counted].sort()), Object.fromEntries([...placed].sort()));
    const perState = (state: string) => counted.get(`scale-r2/${state}`) ?? 0;
    assert.deepEqual(
      { succeeded: perState('succeeded'), failed: perState('failed'), offline: perState('offline') },
      { succeeded: (DEVICES / 5) * 2, failed: DEVICES / 5, offline: DEVICES / 5 },
      'heartbeat and restart devices succeed, edgeHub failures fail, disconnected are offline, deleted are counted nowhere',
    );
  });
});
