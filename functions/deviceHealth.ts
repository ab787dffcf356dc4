import { app } from '@azure/functions';
import { lazyHandlers } from '../shared/http/lazyHandlers';

const handlers = lazyHandlers(() => import('../shared/handlers/deviceHealth.js'));

// GET /api/hubs/{hub}/devices/{deviceId}/health: what ingestion knows about one
// device, with its state read now (a silent device shows as offline).
app.http('deviceHealth', {
  methods: ['GET'],
  authLevel: 'function',
  route: 'hubs/{hub}/devices/{deviceId}/health',
  handler: handlers.http('deviceHealthHandler'),
});

// GET /api/deployments/{id}/devices?state=failed: the devices on a revision
// (the current one unless ?revision=), by stored state, paged over every hub.
app.http('deploymentDevices', {
  methods: ['GET'],
  authLevel: 'function',
  route: 'deployments/{id}/devices',
  handler: handlers.http('deploymentDevicesHandler'),
});
