import { app } from '@azure/functions';
import { lazyHandlers } from '../shared/http/lazyHandlers';

const handlers = lazyHandlers(() => import('../shared/handlers/healthIngest.js'));

// Device health from what IoT Hub routes to the health Event Hub (twin changes,
// connection state, heartbeats). A throw (storage down) leaves the batch
// uncheckpointed; the retry policy tries again without end, so nothing is lost.
app.eventHub('healthIngest', {
  connection: 'HealthEventHub',
  eventHubName: '%HEALTH_EVENTHUB_NAME%',
  consumerGroup: '%HEALTH_EVENTHUB_CONSUMER_GROUP%',
  cardinality: 'many',
  retry: { strategy: 'exponentialBackoff', maxRetryCount: -1, minimumInterval: { seconds: 2 }, maximumInterval: { minutes: 2 } },
  handler: handlers.trigger('healthIngestHandler'),
});
