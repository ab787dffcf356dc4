// The local host's Event Hub trigger against the local Event Hubs endpoint and
// Azurite: batch metadata shaped like the Functions host's, retries per the
// function's retry option, and checkpoints only after an invocation succeeded.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { EventHubProducerClient } from '@azure/event-hubs';
import { BlobCheckpointStore } from '@azure/eventhubs-checkpointstore-blob';
import { ContainerClient } from '@azure/storage-blob';
import { type AzuriteHandle, startAzurite } from '../../../local/azurite';
import { type EventHubsEndpoint, startEventHubsEndpoint } from '../../../local/eventhubs';
import { type LocalHost, startLocalHost } from '../../../local/host/host';
import type { Invocation } from '../../fixtures/ehApp/ingestFixture';
import { fixtureAppRoot, waitFor } from '../../helpers/fixtureApp';

describe('local host: Event Hub trigger', () => {
  let endpoint: EventHubsEndpoint;
  let azurite: AzuriteHandle;
  let host: LocalHost;
  let producer: EventHubProducerClient;
  const fixture = () => (globalThis as { __ehFixture?: { invocations: Invocation[]; failNext: number } }).__ehFixture!;

  before(async () => {
    [endpoint, azurite] = await Promise.all([startEventHubsEndpoint({ port: 0, hubs: [{ name: 'health', partitions: 2, consumerGroups: ['app'] }] }), startAzurite()]);
    host = await startLocalHost({
      scriptRoot: fixtureAppRoot(join(__dirname, '..', '..', 'fixtures', 'ehApp', '*.js')),
      settings: { FixtureEventHub: endpoint.connectionString(), FIXTURE_HUB: 'health', FIXTURE_GROUP: 'app', AzureWebJobsStorage: azurite.connectionString },
      port: 0,
      keys: { functionKey: 'f', masterKey: 'm' },
      logger: () => undefined,
    });
    producer = new EventHubProducerClient(endpoint.connectionString(), 'health');
  });
  after(async () => {
    await producer.close();
    await host.stop();
    await endpoint.stop();
    await azurite.stop();
  });

  it('delivers a batch with triggerMetadata shaped like the Functions host’s (camel-cased)', async () => {
    await producer.sendBatch(
      [{ body: { n: 1 }, properties: { hubName: 'weu' } }, { body: { n: 2 }, properties: { hubName: 'weu' } }, { body: 'text' }],
      { partitionId: '0' },
    );
    const call = await waitFor(() => fixture().invocations.find((i) => i.messages.length === 3), 15000, 'the batch');
    assert.deepEqual(call.messages, [{ n: 1 }, { n: 2 }, 'text']);
    const meta = call.triggerMetadata as {
      partitionContext: { fullyQualifiedNamespace: string; partitionId: string; eventHubName: string; consumerGroup: string };
      sequenceNumberArray: number[];
      offsetArray: string[];
      enqueuedTimeUtcArray: string[];
      partitionKeyArray: (string | null)[];
      propertiesArray: Record<string, unknown>[];
      systemPropertiesArray: Record<string, unknown>[];
    };
    assert.deepEqual(meta.partitionContext, { fullyQualifiedNamespace: meta.partitionContext.fullyQualifiedNamespace, eventHubName: 'health', consumerGroup: 'app', partitionId: '0' });
    assert.deepEqual(meta.sequenceNumberArray, [0, 1, 2]);
    assert.equal(meta.offsetArray.length, 3);
    assert.ok(meta.enqueuedTimeUtcArray.every((t) => !Number.isNaN(Date.parse(t))));
    assert.equal(meta.propertiesArray[0]?.hubName, 'weu');
    assert.equal(meta.systemPropertiesArray[1]?.sequenceNumber, 1);
  });

  it('retries per the function’s retry option and moves the checkpoint only after a success', async () => {
    const container = new ContainerClient(azurite.connectionString, 'azure-webjobs-eventhub');
    const store = new BlobCheckpointStore(container);
    const checkpointOf = async (partitionId: string) => {
      const namespace = (fixture().invocations[0]!.triggerMetadata as { partitionContext: { fullyQualifiedNamespace: string } }).partitionContext.fullyQualifiedNamespace;
      return (await store.listCheckpoints(namespace, 'health', 'app')).find((c) => c.partitionId === partitionId);
    };
    const before = await waitFor(async () => (await checkpointOf('0'))?.sequenceNumber === 2 ? checkpointOf('0') : undefined, 10000, 'the first batch to be checkpointed');
    assert.equal(before?.sequenceNumber, 2);

    const start = fixture().invocations.length;
    fixture().failNext = 1_000_000; // failing until the test says otherwise
    await producer.sendBatch([{ body: { n: 3 } }], { partitionId: '0' });
    // A whole delivery (first try + 2 retries) fails, then the batch is delivered again, and fails too.
    await waitFor(() => (fixture().invocations.length - start >= 4 ? true : undefined), 20000, 'a failed delivery and a redelivery');
    assert.equal((await checkpointOf('0'))?.sequenceNumber, 2, 'a failed batch must not be checkpointed');
    fixture().failNext = 0;
    await waitFor(() => (fixture().invocations.slice(start).some((i) => !i.failed) ? true : undefined), 20000, 'a successful redelivery');
    const mine = fixture().invocations.slice(start);
    assert.deepEqual(mine.slice(0, 4).map((i) => [i.retryCount, i.failed]), [[0, true], [1, true], [2, true], [0, true]]);
    assert.equal(mine.at(-1)?.failed, false);
    assert.ok(mine.every((i) => JSON.stringify(i.messages) === JSON.stringify([{ n: 3 }])), 'the same batch every time');
    const after = await waitFor(async () => ((await checkpointOf('0'))?.sequenceNumber === 3 ? checkpointOf('0') : undefined), 10000, 'the checkpoint after success');
    assert.equal(after?.sequenceNumber, 3);
  });
});
