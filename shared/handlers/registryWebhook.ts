// The handlers of functions/registryWebhook.ts, loaded the first time one of them runs (shared/http/lazyHandlers.ts):
// importing the app registers its functions without loading this module or what it imports.
import { deploymentsDeps, storageServices } from '../composition';
import { registryWebhook, webhookHandshake } from '../http/registryWebhook';
import { withProblems } from '../http/respond';
import { eventLogger } from '../logging';

// POST /api/webhooks/registry/{provider}: a registry says an image was pushed;
// deployments whose update policy accepts it get a new revision. Anonymous to the
// Functions host: each provider's own signature or token is the authentication.
// OPTIONS answers the CloudEvents webhook validation handshake.
export const registryWebhookHandler = withProblems(async (request, context) => {
  const { settings, idempotency, repositoryIndex } = await storageServices();
  if (request.method === 'OPTIONS') return webhookHandshake(request, settings);
  return registryWebhook(request, { settings, idempotency, deployments: async () => ({ ...(await deploymentsDeps()), repositoryIndex }), log: eventLogger(context) });
});
