// Sends conformance fixtures (test/helpers/healthFixtures.ts) through the real
// @azure/event-hubs producer the way IoT Hub message routing delivers them:
// the body as UTF-8 JSON bytes, the application properties, and IoT Hub's
// system properties as AMQP message annotations (an annotated message is the
// only way the SDK lets a sender set them; local/eventhubs/publisher.ts does the same).
import type { EventDataBatch, EventHubProducerClient } from '@azure/event-hubs';
import type { EventInput } from '../../shared/domain/health/healthEvents';

type Message = Parameters<EventDataBatch['tryAdd']>[0];

export function routedMessage(event: EventInput, partitionKey?: string): Message {
  return {
    body: Buffer.from(JSON.stringify(event.body), 'utf8'),
    bodyType: 'data',
    applicationProperties: event.properties,
    messageAnnotations: { ...event.systemProperties, ...(partitionKey ? { 'x-opt-partition-key': partitionKey } : {}) },
  };
}

/**
 * Sends the events in order, in as few batches as fit: to `partitionId` when
 * given, else with the device as partition key (as IoT Hub routes), so one
 * device's events stay in order on one partition.
 */
export async function sendHealthEvents(producer: EventHubProducerClient, events: readonly EventInput[], target: { partitionId: string } | { partitionKey: string }): Promise<void> {
  let batch = await producer.createBatch(target);
  for (const event of events) {
    const message = routedMessage(event, 'partitionKey' in target ? target.partitionKey : undefined);
    if (batch.tryAdd(message)) continue;
    if (batch.count === 0) throw new Error('event does not fit one batch');
    await producer.sendBatch(batch);
    batch = await producer.createBatch(target);
    if (!batch.tryAdd(message)) throw new Error('event does not fit one batch');
  }
  if (batch.count) await producer.sendBatch(batch);
}
