// Routes the IoT Hub simulator's events into an event hub the way IoT Hub
// message routing does: the body as UTF-8 JSON bytes, application properties,
// IoT Hub's system properties as AMQP message annotations, and the device id
// as partition key. Goes through the real SDK producer, so the simulator can
// run in another process than the endpoint.
import { type EventDataBatch, EventHubProducerClient } from '@azure/event-hubs';
import type { DeviceEventPublisher, RoutedEvent } from '../iothub/events';

export interface EventHubsPublisher extends DeviceEventPublisher {
  close(): Promise<void>;
}

export function eventHubsPublisher(connectionString: string, eventHubName: string): EventHubsPublisher {
  const producer = new EventHubProducerClient(connectionString, eventHubName);
  // Events that arrive while a send is in flight go out together in the next one: a
  // fleet reporting at once costs a few batches, not one round trip per event.
  let pending: { events: RoutedEvent[]; done: (error?: unknown) => void }[] = [];
  let flushing: Promise<void> | undefined;

  async function send(events: readonly RoutedEvent[]): Promise<void> {
    const byKey = new Map<string, RoutedEvent[]>();
    for (const e of events) byKey.set(e.partitionKey, [...(byKey.get(e.partitionKey) ?? []), e]);
    // Every device is its own partition key, hence its own batch: send those side by side
    // (each key's events stay in order inside its batch; flushes follow one another).
    const groups = [...byKey];
    const workers = Array.from({ length: Math.min(32, groups.length) }, async () => {
      for (let next = groups.shift(); next; next = groups.shift()) await sendGroup(next[0], next[1]);
    });
    await Promise.all(workers);
  }

  async function sendGroup(partitionKey: string, group: readonly RoutedEvent[]): Promise<void> {
    let batch = await producer.createBatch({ partitionKey });
    for (const e of group) {
      // An AMQP annotated message: the only way the SDK lets a sender set message annotations.
      const message: Parameters<EventDataBatch['tryAdd']>[0] = {
        body: Buffer.from(JSON.stringify(e.body), 'utf8'),
        bodyType: 'data',
        applicationProperties: e.properties,
        // The SDK stamps the partition key on EventData but not on annotated messages: do it here.
        messageAnnotations: { ...e.systemProperties, 'x-opt-partition-key': partitionKey },
      };
      if (!batch.tryAdd(message)) {
        await producer.sendBatch(batch);
        batch = await producer.createBatch({ partitionKey });
        batch.tryAdd(message);
      }
    }
    if (batch.count) await producer.sendBatch(batch);
  }

  async function flush(): Promise<void> {
    while (pending.length) {
      const taken = pending;
      pending = [];
      try {
        // Per device the order is kept: events are grouped by partition key in arrival order.
        await send(taken.flatMap((p) => p.events));
        taken.forEach((p) => p.done());
      } catch (error) {
        taken.forEach((p) => p.done(error));
      }
    }
    flushing = undefined;
  }

  return {
    publish(events) {
      return new Promise<void>((resolve, reject) => {
        pending.push({ events, done: (error) => (error ? reject(error instanceof Error ? error : new Error('publishing to Event Hubs failed')) : resolve()) });
        flushing ??= flush();
      });
    },
    async close() {
      await flushing;
      await producer.close();
    },
  };
}
