import { app } from '@azure/functions';
import { lazyHandlers } from '../shared/http/lazyHandlers';

const handlers = lazyHandlers(() => import('../shared/handlers/deploymentRevisions.js'));

// GET /api/deployments/{id}/revisions: the history, oldest first, paged.
app.http('listRevisions', {
  methods: ['GET'],
  authLevel: 'function',
  route: 'deployments/{id}/revisions',
  handler: handlers.http('listRevisionsHandler'),
});

// POST /api/deployments/{id}/rollback {"revision": 3}: a new revision equal to revision 3.
app.http('rollbackDeployment', {
  methods: ['POST'],
  authLevel: 'function',
  route: 'deployments/{id}/rollback',
  handler: handlers.http('rollbackDeploymentHandler'),
});
