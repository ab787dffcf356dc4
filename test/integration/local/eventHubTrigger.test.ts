// The local host's Event Hub trigger against the local Event Hubs endpoint and
// Azurite: batch metadata shaped like the Functions host's, retries per the
// function's retry option, and once they are spent the checkpoint moves on (Azure's semantics).
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

  it('retries per the function’s retry option, then moves the checkpoint past the batch as Azure does', async () => {
    const container = new ContainerClient(azurite.connectionString, 'azure-webjobs-eventhub');
    const store = new BlobCheckpointStore(container);
    const checkpointOf = async (partitionId: string) => {
      const namespace = (fixture().invocations[0]!.triggerMetadata as { partitionContext: { fullyQualifiedNamespace: string } }).partitionContext.fullyQualifiedNamespace;
      return (await store.listCheckpoints(namespace, 'health', 'app')).find((c) => c.partitionId === partitionId);
    };
    const before = await waitFor(async () => (await checkpointOf('0'))?.sequenceNumber === 2 ? checkpointOf('0') : undefined, 10000, 'the first batch to be checkpointed');
    assert.equal(before?.sequenceNumber, 2);

    const start = fixture().invocations.length;
    fixture().failNext = 3; // the first try and both retries fail
    await producer.sendBatch([{ body: { n: 3 } }], { partitionId: '0' });
    // Retries spent: Azure's host logs the failure and checkpoints past the batch; so does ours.
    const after = await waitFor(async () => ((await checkpointOf('0'))?.sequenceNumber === 3 ? checkpointOf('0') : undefined), 20000, 'the checkpoint past the failed batch');
    assert.equal(after?.sequenceNumber, 3);
    const mine = fixture().invocations.slice(start);
    assert.deepEqual(mine.map((i) => [i.retryCount, i.failed]), [[0, true], [1, true], [2, true]], 'one try and two retries, then no redelivery');
    assert.ok(mine.every((i) => JSON.stringify(i.messages) === JSON.stringify([{ n: 3 }])), 'the same batch every time');

    await producer.sendBatch([{ body: { n: 4 } }], { partitionId: '0' });
    await waitFor(() => (fixture().invocations.slice(start).some((i) => !i.failed && JSON.stringify(i.messages) === JSON.stringify([{ n: 4 }])) ? true : undefined), 20000, 'the next batch');
  });
});
