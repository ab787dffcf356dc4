// The handlers of functions/deviceHealth.ts, loaded the first time one of them runs (shared/http/lazyHandlers.ts):
// importing the app registers its functions without loading this module or what it imports.
import { storageServices } from '../composition';
import { offlineJudgedAfterSeconds } from '../domain/health/liveness';
import { notFound } from '../errors';
import { parseDeploymentDevicesQuery } from '../http/healthRequests';
import { deploymentIdParam, deviceIdParam } from '../http/pathParams';
import { json, withProblems } from '../http/respond';
import { deviceHealthView, getDeviceHealth, listDeploymentDevices } from '../services/health/healthQueries';

// GET /api/hubs/{hub}/devices/{deviceId}/health: what ingestion knows about one
// device, with its state read now (a silent device shows as offline).
export const deviceHealthHandler = withProblems(async (request) => {
  const { settings, health } = await storageServices();
  const hub = request.params.hub ?? '';
  if (!settings.HUBS.some((h) => h.name === hub)) throw notFound(`hub '${hub}'`, 'HubNotFound');
  const stored = await getDeviceHealth(health, hub, deviceIdParam(request));
  return json(200, deviceHealthView(stored, new Date(), offlineJudgedAfterSeconds(settings.DEVICE_OFFLINE_AFTER_SECONDS, settings.DEVICE_LIVENESS_WRITE_SECONDS)), { 'cache-control': 'no-store' });
});

// GET /api/deployments/{id}/devices?state=failed: the devices on a revision
// (the current one unless ?revision=), by stored state, paged over every hub.
export const deploymentDevicesHandler = withProblems(async (request) => {
  const { settings, health, deployments, pageTokens } = await storageServices();
  const id = deploymentIdParam(request);
  const query = parseDeploymentDevicesQuery(request);
  const head = await deployments.get(id);
  if (!head) throw notFound(`deployment '${id}'`, 'DeploymentNotFound');
  const revision = query.revision ?? head.currentRevision;
  const scope = `devices:${id}:${revision}:${query.state ?? ''}`;
  const page = await listDeploymentDevices(health, {
    hubs: settings.HUBS.map((h) => h.name),
    deploymentId: id,
    revision,
    ...(query.state ? { state: query.state } : {}),
    pageSize: query.pageSize,
    ...(query.continuationToken ? { continuationToken: pageTokens.open(scope, query.continuationToken) } : {}),
  });
  return json(200, { items: page.items, continuationToken: pageTokens.seal(scope, page.continuationToken) }, { 'cache-control': 'no-store' });
});
