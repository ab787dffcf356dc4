// The handlers of functions/healthIngest.ts, loaded the first time one of them runs (shared/http/lazyHandlers.ts):
// importing the app registers its functions without loading this module or what it imports.
import type { InvocationContext } from '@azure/functions';
import { storageServices } from '../composition';
import { eventLogger } from '../logging';
import { ingestBatch } from '../services/health/ingestBatch';

// Device health from what IoT Hub routes to the health Event Hub (twin changes,
// connection state, heartbeats). A throw (storage down) leaves the batch
// uncheckpointed; the retry policy tries again without end, so nothing is lost.
export const healthIngestHandler = async (messages: unknown[], context: InvocationContext) => {
  const report = await ingestBatch((await storageServices()).healthIngest, messages, context.triggerMetadata ?? {});
  eventLogger(context).info('health.ingest', { ...report });
};
