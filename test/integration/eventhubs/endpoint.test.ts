// The local Event Hubs endpoint through the public @azure/event-hubs API only.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { earliestEventPosition, EventHubConsumerClient, EventHubProducerClient, latestEventPosition, type ReceivedEventData, type SubscribeOptions, type Subscription, type SubscriptionEventHandlers } from '@azure/event-hubs';
import { BlobCheckpointStore } from '@azure/eventhubs-checkpointstore-blob';
import { ContainerClient } from '@azure/storage-blob';
import { type EventHubsEndpoint, startEventHubsEndpoint } from '../../../local/eventhubs';
import { eventHubsPublisher } from '../../../local/eventhubs/publisher';
import { type AzuriteHandle, startAzurite } from '../../../local/azurite';
import { waitFor } from '../../helpers/fixtureApp';

const HUB = 'device-health';

describe('local Event Hubs endpoint', () => {
  let endpoint: EventHubsEndpoint;
  let azurite: AzuriteHandle;
  let producer: EventHubProducerClient;
  const clients: { close(): Promise<void> }[] = [];
  before(async () => {
    [endpoint, azurite] = await Promise.all([startEventHubsEndpoint({
        port: 0,
        // A hub per test, so no test reads another's events.
        hubs: [HUB, 'positions', 'groups', 'checkpoints', 'balance', 'epoch', 'routed'].map((name) => ({ name, partitions: 4, consumerGroups: ['control-plane', 'tools'] })),
      }), startAzurite()]);
    producer = new EventHubProducerClient(endpoint.connectionString(), HUB);
    clients.push(producer);
  });
  after(async () => {
    for (const c of clients) await c.close();
    await endpoint.stop();
    await azurite.stop();
  });

  const consumer = (group = '$Default', hub = HUB) => {
    const c = new EventHubConsumerClient(group, endpoint.connectionString(), hub);
    clients.push(c);
    return c;
  };
  /** Subscribes and collects events until `count` arrived. */
  async function collect(client: EventHubConsumerClient, count: number, options: SubscribeOptions = {}, partitionId?: string): Promise<ReceivedEventData[]> {
    const events: ReceivedEventData[] = [];
    const handlers: SubscriptionEventHandlers = { processEvents: async (batch) => void events.push(...batch), processError: async () => undefined };
    const sub: Subscription = partitionId === undefined ? client.subscribe(handlers, { maxWaitTimeInSeconds: 1, ...options }) : client.subscribe(partitionId, handlers, { maxWaitTimeInSeconds: 1, ...options });
    try {
      await waitFor(() => (events.length >= count ? true : undefined), 15000, `${count} events`);
      return events;
    } finally {
      await sub.close();
    }
  }

  it('reports hub and partition properties', async () => {
    const props = await producer.getEventHubProperties();
    assert.equal(props.name, HUB);
    assert.deepEqual(props.partitionIds, ['0', '1', '2', '3']);
    const p = await producer.getPartitionProperties('3');
    assert.equal(p.isEmpty, true);
    assert.equal(p.lastEnqueuedSequenceNumber, -1);
  });

  it('puts a partition key’s events on one partition in order, and spreads keyless events', async () => {
    const keyed = await producer.createBatch({ partitionKey: 'weu-edge-00042' });
    for (let i = 0; i < 5; i++) keyed.tryAdd({ body: { i }, properties: { kind: 'keyed' } });
    await producer.sendBatch(keyed);
    const loose = await producer.createBatch();
    for (let i = 0; i < 8; i++) loose.tryAdd({ body: { i }, properties: { kind: 'loose' } });
    await producer.sendBatch(loose);
    const events = await collect(consumer('tools'), 13, { startPosition: earliestEventPosition });
    const keyedEvents = events.filter((e) => e.properties?.kind === 'keyed');
    assert.equal(new Set(keyedEvents.map((e) => e.partitionKey)).size, 1);
    assert.deepEqual(keyedEvents.map((e) => (e.body as { i: number }).i), [0, 1, 2, 3, 4]);
    const partitions = new Set((await Promise.all(['0', '1', '2', '3'].map((id) => producer.getPartitionProperties(id)))).filter((p) => !p.isEmpty).map((p) => p.partitionId));
    assert.ok(partitions.size >= 2, 'keyless events were spread over partitions');
  });

  it('starts at the earliest event, the latest, a sequence number or an enqueued time', async () => {
    const positions = new EventHubProducerClient(endpoint.connectionString(), 'positions');
    clients.push(positions);
    await positions.sendBatch([{ body: 'a' }, { body: 'b' }, { body: 'c' }], { partitionId: '2' });
    const earliest = await collect(consumer('$Default', 'positions'), 3, { startPosition: earliestEventPosition }, '2');
    assert.deepEqual(earliest.slice(0, 3).map((e) => e.body as unknown), ['a', 'b', 'c']);
    const fromSequence = await collect(consumer('$Default', 'positions'), 2, { startPosition: { sequenceNumber: earliest[0]!.sequenceNumber } }, '2');
    assert.deepEqual(fromSequence.map((e) => e.body as unknown), ['b', 'c'], 'a sequence number position is exclusive');
    const inclusive = await collect(consumer('$Default', 'positions'), 3, { startPosition: { sequenceNumber: earliest[0]!.sequenceNumber, isInclusive: true } }, '2');
    assert.equal(inclusive[0]?.body, 'a');
    const byTime = await collect(consumer('$Default', 'positions'), 3, { startPosition: { enqueuedOn: new Date(earliest[0]!.enqueuedTimeUtc.getTime() - 1) } }, '2');
    assert.equal(byTime[0]?.body, 'a');

    const latest = consumer('$Default', 'positions');
    const events: ReceivedEventData[] = [];
    const sub = latest.subscribe('2', { processEvents: async (b) => void events.push(...b), processError: async () => undefined }, { startPosition: latestEventPosition, maxWaitTimeInSeconds: 1 });
    await new Promise((r) => setTimeout(r, 500)); // let the receiver attach before the new event
    await positions.sendBatch([{ body: 'd' }], { partitionId: '2' });
    await waitFor(() => (events.length ? true : undefined), 10000, 'the new event');
    await sub.close();
    assert.deepEqual(events.map((e) => e.body as unknown), ['d'], 'latest skips what was there before');
  });

  it('lets consumer groups read independently', async () => {
    const groups = new EventHubProducerClient(endpoint.connectionString(), 'groups');
    clients.push(groups);
    await groups.sendBatch([{ body: 'shared' }], { partitionId: '1' });
    const a = await collect(consumer('control-plane', 'groups'), 1, { startPosition: earliestEventPosition }, '1');
    const b = await collect(consumer('TOOLS', 'groups'), 1, { startPosition: earliestEventPosition }, '1');
    assert.equal(a[0]?.body, 'shared');
    assert.equal(b[0]?.body, 'shared');
    await assert.rejects(collectOrError(consumer('nope', 'groups'), '1'));
  });

  async function collectOrError(client: EventHubConsumerClient, partitionId: string): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      const sub = client.subscribe(partitionId, { processEvents: async () => undefined, processError: async (e) => void sub.close().then(() => reject(e)) }, { maxWaitTimeInSeconds: 1 });
      setTimeout(() => void sub.close().then(resolve), 5000);
    });
  }

  it('resumes from a blob checkpoint after a restart without losing events', async () => {
    const container = new ContainerClient(azurite.connectionString, 'checkpoints');
    await container.createIfNotExists();
    const store = new BlobCheckpointStore(container);
    const checkpoints = new EventHubProducerClient(endpoint.connectionString(), 'checkpoints');
    clients.push(checkpoints);
    await checkpoints.sendBatch([{ body: 'one' }, { body: 'two' }], { partitionId: '0' });
    const first = new EventHubConsumerClient('control-plane', endpoint.connectionString(), 'checkpoints', store);
    clients.push(first);
    const seen: string[] = [];
    const sub = first.subscribe('0', {
      processEvents: async (batch, ctx) => {
        seen.push(...batch.map((e) => String(e.body as string)));
        if (batch.length) await ctx.updateCheckpoint(batch.at(-1)!);
      },
      processError: async () => undefined,
    }, { startPosition: earliestEventPosition, maxWaitTimeInSeconds: 1 });
    await waitFor(() => (seen.includes('two') ? true : undefined), 10000, 'the first events');
    await sub.close();
    await checkpoints.sendBatch([{ body: 'three' }], { partitionId: '0' });
    const again = new EventHubConsumerClient('control-plane', endpoint.connectionString(), 'checkpoints', store);
    clients.push(again);
    const resumed = await collect(again, 1, { startPosition: earliestEventPosition }, '0');
    assert.deepEqual(resumed.map((e) => e.body as unknown), ['three'], 'resumed after the checkpoint, nothing read twice');
  });

  it('balances partitions between two consumers sharing a checkpoint store', async () => {
    const container = new ContainerClient(azurite.connectionString, 'balance');
    await container.createIfNotExists();
    const owned = [new Set<string>(), new Set<string>()];
    const subs = [0, 1].map((i) => {
      const c = new EventHubConsumerClient('tools', endpoint.connectionString(), 'balance', new BlobCheckpointStore(container), {
        loadBalancingOptions: { strategy: 'balanced', updateIntervalInMs: 200, partitionOwnershipExpirationIntervalInMs: 2000 },
      });
      clients.push(c);
      return c.subscribe({ processInitialize: async (ctx: { partitionId: string }) => void owned[i]!.add(ctx.partitionId), processClose: async (_reason, ctx: { partitionId: string }) => void owned[i]!.delete(ctx.partitionId), processEvents: async () => undefined, processError: async () => undefined }, { maxWaitTimeInSeconds: 1 });
    });
    // Ownership moves (the second consumer steals from the first), so wait for the settled split.
    await waitFor(() => (owned[0]!.size === 2 && owned[1]!.size === 2 && new Set([...owned[0]!, ...owned[1]!]).size === 4 ? true : undefined), 30000, 'two partitions each');
    await Promise.all(subs.map((s) => s.close()));
  });

  it('refuses a bad key', async () => {
    const bad = new EventHubProducerClient(endpoint.connectionString().replace(/SharedAccessKey=[^;]+/, 'SharedAccessKey=bm90LXRoZS1rZXk='), HUB, { retryOptions: { maxRetries: 0 } });
    clients.push(bad);
    await assert.rejects(bad.getEventHubProperties(), (e: Error & { code?: string }) => e.code === 'UnauthorizedError');
  });

  it('lets a higher owner level take a partition from a lower one', async () => {
    const errors: Error[] = [];
    const low = consumer('tools', 'epoch').subscribe('1', { processEvents: async () => undefined, processError: async (e) => void errors.push(e) }, { ownerLevel: 1, maxWaitTimeInSeconds: 1 });
    await new Promise((r) => setTimeout(r, 500));
    const high = consumer('tools', 'epoch').subscribe('1', { processEvents: async () => undefined, processError: async () => undefined }, { ownerLevel: 2, maxWaitTimeInSeconds: 1 });
    await waitFor(() => (errors.some((e) => /epoch|ReceiverDisconnected/i.test(`${e.name} ${(e as { code?: string }).code} ${e.message}`)) ? true : undefined), 10000, `the lower owner to be disconnected (errors: ${errors.map((e) => e.message).join('; ')})`);
    await Promise.all([low.close(), high.close()]);
  });

  it('routes IoT Hub events with application properties and system properties as IoT Hub does', async () => {
    const publisher = eventHubsPublisher(endpoint.connectionString(), 'routed');
    await publisher.publish([{ body: { sequenceNumber: '0001' }, properties: { hubName: 'weu', deviceId: 'dev-7', opType: 'deviceConnected' }, systemProperties: { 'iothub-connection-device-id': 'dev-7', 'iothub-message-source': 'deviceConnectionStateEvents' }, partitionKey: 'dev-7' }]);
    await publisher.close();
    const [event] = await collect(consumer('$Default', 'routed'), 1, { startPosition: earliestEventPosition });
    assert.deepEqual(event?.body, { sequenceNumber: '0001' });
    assert.equal(event?.properties?.opType, 'deviceConnected');
    assert.equal(event?.systemProperties?.['iothub-message-source'], 'deviceConnectionStateEvents');
    assert.equal(event?.partitionKey, 'dev-7');
  });

  it('keeps events across a restart when given a data folder, and trims to its retention', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'eh-'));
    const options = { port: 0, dataDir, hubs: [{ name: 'kept', partitions: 1 }], retention: { maxEvents: 3 } };
    const first = await startEventHubsEndpoint(options);
    const p1 = new EventHubProducerClient(first.connectionString(), 'kept');
    await p1.sendBatch([1, 2, 3, 4, 5].map((n) => ({ body: n })));
    await p1.close();
    await first.stop();
    const second = await startEventHubsEndpoint(options);
    const c = new EventHubConsumerClient('$Default', second.connectionString(), 'kept');
    try {
      const events = await collect(c, 3, { startPosition: earliestEventPosition });
      assert.deepEqual(events.map((e) => e.body as unknown), [3, 4, 5]);
      assert.equal((await c.getPartitionProperties('0')).beginningSequenceNumber, 2);
    } finally {
      await c.close();
      await second.stop();
    }
  });
});
