import { app } from '@azure/functions';
import { lazyHandlers } from '../shared/http/lazyHandlers';

const handlers = lazyHandlers(() => import('../shared/handlers/registryWebhook.js'));

// POST /api/webhooks/registry/{provider}: a registry says an image was pushed;
// deployments whose update policy accepts it get a new revision. Anonymous to the
// Functions host: each provider's own signature or token is the authentication.
// OPTIONS answers the CloudEvents webhook validation handshake.
app.http('registryWebhook', {
  methods: ['POST', 'OPTIONS'],
  authLevel: 'anonymous',
  route: 'webhooks/registry/{provider}',
  handler: handlers.http('registryWebhookHandler'),
});
