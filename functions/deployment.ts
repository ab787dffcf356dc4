import { app } from '@azure/functions';
import { lazyHandlers } from '../shared/http/lazyHandlers';

const handlers = lazyHandlers(() => import('../shared/handlers/deployment.js'));

// GET /api/deployments/{id}: the current revision as submitted, its target
// condition, and every hub's sync state. ETag names the revision.
app.http('getDeployment', {
  methods: ['GET'],
  authLevel: 'function',
  route: 'deployments/{id}',
  handler: handlers.http('getDeploymentHandler'),
});

// PUT replaces the whole spec, PATCH merges (RFC 7396); both make a new
// revision and need If-Match with the current ETag (412 stale, 428 missing).
app.http('replaceDeployment', {
  methods: ['PUT'],
  authLevel: 'function',
  route: 'deployments/{id}',
  handler: handlers.http('replaceDeploymentHandler'),
});

app.http('patchDeployment', {
  methods: ['PATCH'],
  authLevel: 'function',
  route: 'deployments/{id}',
  handler: handlers.http('patchDeploymentHandler'),
});

// DELETE removes the deployment's configurations from every hub (If-Match optional).
app.http('deleteDeployment', {
  methods: ['DELETE'],
  authLevel: 'function',
  route: 'deployments/{id}',
  handler: handlers.http('deleteDeploymentHandler'),
});
