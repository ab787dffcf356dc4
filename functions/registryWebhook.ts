import { app } from '@azure/functions';
import { deploymentsDeps, storageServices } from '../shared/composition';
import { registryWebhook, webhookHandshake } from '../shared/http/registryWebhook';
import { withProblems } from '../shared/http/respond';
import { eventLogger } from '../shared/logging';

// POST /api/webhooks/registry/{provider}: a registry says an image was pushed;
// deployments whose update policy accepts it get a new revision. Anonymous to the
// Functions host: each provider's own signature or token is the authentication.
// OPTIONS answers the CloudEvents webhook validation handshake.
app.http('registryWebhook', {
  methods: ['POST', 'OPTIONS'],
  authLevel: 'anonymous',
  route: 'webhooks/registry/{provider}',
  handler: withProblems(async (request, context) => {
    const { settings, idempotency, repositoryIndex } = await storageServices();
    if (request.method === 'OPTIONS') return webhookHandshake(request, settings);
    return registryWebhook(request, { settings, idempotency, deployments: async () => ({ ...(await deploymentsDeps()), repositoryIndex }), log: eventLogger(context) });
  }),
});
