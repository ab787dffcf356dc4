import { app } from '@azure/functions';
import { lazyHandlers } from '../shared/http/lazyHandlers';

const handlers = lazyHandlers(() => import('../shared/handlers/deployments.js'));

// POST /api/deployments: create a deployment (JSON or YAML: a deployment request,
// or a bare Kubernetes Pod/Deployment). 201 when every hub applied it, 202 when
// the reconciler still has hubs to finish. Idempotency-Key makes retries safe.
app.http('createDeployment', {
  methods: ['POST'],
  authLevel: 'function',
  route: 'deployments',
  handler: handlers.http('createDeploymentHandler'),
});

// GET /api/deployments?pageSize=&continuationToken=&labelSelector=team=edge
app.http('listDeployments', {
  methods: ['GET'],
  authLevel: 'function',
  route: 'deployments',
  handler: handlers.http('listDeploymentsHandler'),
});
