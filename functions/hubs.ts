import { app } from '@azure/functions';
import { lazyHandlers } from '../shared/http/lazyHandlers';

const handlers = lazyHandlers(() => import('../shared/handlers/hubs.js'));

// GET /api/hubs: the configured regional hubs with their labels and last-known
// reachability and garbage-collection fence (from the reconciler's latest pass).
// Connection settings never leave.
app.http('listHubs', {
  methods: ['GET'],
  authLevel: 'function',
  route: 'hubs',
  handler: handlers.http('listHubsHandler'),
});
