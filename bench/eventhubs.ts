// npm run bench:eventhubs — events per second from a producer to a consumer
// through the local Event Hubs endpoint (1 KB events): the upper bound the
// health-ingest path can ever see locally, so it must sit well above what
// ingestion needs.
import { earliestEventPosition, EventHubConsumerClient, EventHubProducerClient } from '@azure/event-hubs';
import { startEventHubsEndpoint } from '../local/eventhubs';

const EVENTS = 50_000;
const BODY = 'x'.repeat(1024);

async function main(): Promise<void> {
  const endpoint = await startEventHubsEndpoint({ port: 0, hubs: [{ name: 'bench', partitions: 4 }] });
  const producer = new EventHubProducerClient(endpoint.connectionString(), 'bench');
  const consumer = new EventHubConsumerClient('$Default', endpoint.connectionString(), 'bench');
  try {
    let received = 0;
    let done!: () => void;
    const all = new Promise<void>((resolve) => (done = resolve));
    const started = performance.now();
    const subscription = consumer.subscribe(
      {
        processEvents: async (events) => {
          received += events.length;
          if (received >= EVENTS) done();
          return Promise.resolve();
        },
        processError: async () => Promise.resolve(),
      },
      { startPosition: earliestEventPosition, maxBatchSize: 500, maxWaitTimeInSeconds: 1 },
    );
    let sent = 0;
    while (sent < EVENTS) {
      const batch = await producer.createBatch({ partitionId: String(sent % 4) });
      while (sent < EVENTS && batch.tryAdd({ body: BODY, properties: { n: sent } })) sent++;
      await producer.sendBatch(batch);
    }
    const sentAt = performance.now();
    await all;
    const seconds = (performance.now() - started) / 1000;
    await subscription.close();
    const rate = EVENTS / seconds;
    console.log(`sent ${EVENTS} events of 1 KB in ${((sentAt - started) / 1000).toFixed(1)} s; all received after ${seconds.toFixed(1)} s`);
    console.log(`end to end: ${rate.toFixed(0)} events/s (producer -> endpoint -> consumer)`);
    console.log('this is the ceiling the health-ingest benchmark can see through the local endpoint; ingest itself writes to Azurite, which is slower');
    console.log(`BENCH eventhubs events_per_s=${rate.toFixed(0)} events=${EVENTS} event_bytes=1024 partitions=4`);
  } finally {
    await consumer.close();
    await producer.close();
    await endpoint.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
