import { app } from '@azure/functions';
import { lazyHandlers } from '../shared/http/lazyHandlers';

const handlers = lazyHandlers(() => import('../shared/handlers/health.js'));

// GET /api/health: each dependency's reachability; 503 when any is down.
app.http('health', {
  methods: ['GET'],
  authLevel: 'function',
  route: 'health',
  handler: handlers.http('healthHandler'),
});
