import { app, type InvocationContext } from '@azure/functions';
import { storageServices } from '../shared/composition';
import { eventLogger } from '../shared/logging';
import { ingestBatch } from '../shared/services/health/ingestBatch';

// Device health from what IoT Hub routes to the health Event Hub (twin changes,
// connection state, heartbeats). A throw (storage down) leaves the batch
// uncheckpointed; the retry policy tries again without end, so nothing is lost.
app.eventHub('healthIngest', {
  connection: 'HealthEventHub',
  eventHubName: '%HEALTH_EVENTHUB_NAME%',
  consumerGroup: '%HEALTH_EVENTHUB_CONSUMER_GROUP%',
  cardinality: 'many',
  retry: { strategy: 'exponentialBackoff', maxRetryCount: -1, minimumInterval: { seconds: 2 }, maximumInterval: { minutes: 2 } },
  handler: async (messages: unknown[], context: InvocationContext) => {
    const report = await ingestBatch((await storageServices()).healthIngest, messages, context.triggerMetadata ?? {});
    eventLogger(context).info('health.ingest', { ...report });
  },
});
