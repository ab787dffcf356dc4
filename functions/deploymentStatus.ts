import { app } from '@azure/functions';
import { lazyHandlers } from '../shared/http/lazyHandlers';

const handlers = lazyHandlers(() => import('../shared/handlers/deploymentStatus.js'));

// GET /api/deployments/{id}/status: per hub the configuration, its sync state
// (pending / applied / failed with last error, attempts, next attempt) and the
// hub's own counts, with how fresh they are.
app.http('deploymentStatus', {
  methods: ['GET'],
  authLevel: 'function',
  route: 'deployments/{id}/status',
  handler: handlers.http('deploymentStatusHandler'),
});
