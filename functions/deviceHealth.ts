import { app } from '@azure/functions';
import { getServices } from '../shared/composition';
import { notFound } from '../shared/errors';
import { parseDeploymentDevicesQuery } from '../shared/http/healthRequests';
import { json, withProblems } from '../shared/http/respond';
import { deviceHealthView, getDeviceHealth, listDeploymentDevices } from '../shared/services/health/healthQueries';

// GET /api/hubs/{hub}/devices/{deviceId}/health: what ingestion knows about one
// device, with its state read now (a silent device shows as offline).
app.http('deviceHealth', {
  methods: ['GET'],
  authLevel: 'function',
  route: 'hubs/{hub}/devices/{deviceId}/health',
  handler: withProblems(async (request) => {
    const { settings, health } = getServices();
    const hub = request.params.hub ?? '';
    if (!settings.HUBS.some((h) => h.name === hub)) throw notFound(`hub '${hub}'`, 'HubNotFound');
    const stored = await getDeviceHealth(health, hub, request.params.deviceId ?? '');
    return json(200, deviceHealthView(stored, new Date(), settings.DEVICE_OFFLINE_AFTER_SECONDS), { 'cache-control': 'no-store' });
  }),
});

// GET /api/deployments/{id}/devices?state=failed: the devices on a revision
// (the current one unless ?revision=), by stored state, paged over every hub.
app.http('deploymentDevices', {
  methods: ['GET'],
  authLevel: 'function',
  route: 'deployments/{id}/devices',
  handler: withProblems(async (request) => {
    const { settings, health, deployments } = getServices();
    const query = parseDeploymentDevicesQuery(request);
    const id = request.params.id ?? '';
    const head = await deployments.get(id);
    if (!head) throw notFound(`deployment '${id}'`, 'DeploymentNotFound');
    const page = await listDeploymentDevices(health, {
      hubs: settings.HUBS.map((h) => h.name),
      deploymentId: id,
      revision: query.revision ?? head.currentRevision,
      ...(query.state ? { state: query.state } : {}),
      pageSize: query.pageSize,
      ...(query.continuationToken ? { continuationToken: query.continuationToken } : {}),
    });
    return json(200, { items: page.items, continuationToken: page.continuationToken ?? null }, { 'cache-control': 'no-store' });
  }),
});
