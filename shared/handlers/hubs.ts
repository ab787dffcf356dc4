// The handlers of functions/hubs.ts, loaded the first time one of them runs (shared/http/lazyHandlers.ts):
// importing the app registers its functions without loading this module or what it imports.
import { storageServices } from '../composition';
import { json, withProblems } from '../http/respond';

// GET /api/hubs: the configured regional hubs with their labels and last-known
// reachability and garbage-collection fence (from the reconciler's latest pass).
// Connection settings never leave.
export const listHubsHandler = withProblems(async () => {
  const { settings, hubStatus } = await storageServices();
  const statuses = new Map((await hubStatus.all()).map((s) => [s.hub, s]));
  const hubs = settings.HUBS.map((hub) => {
    const status = statuses.get(hub.name);
    return {
      name: hub.name,
      region: hub.region,
      labels: hub.labels,
      units: hub.units,
      reachability: status
        ? { reachable: status.reachable, checkedAt: status.checkedAt, lastContactAt: status.lastContactAt ?? null, lastError: status.lastError ?? null, configurationCount: status.configurationCount ?? null }
        : { reachable: null, checkedAt: null, lastContactAt: null, lastError: null, configurationCount: null },
      edgeDevices: status?.edgeDevices ? { ...status.edgeDevices } : null,
      // The condition an operator must see: garbage collection stopped on this hub, and why.
      garbageCollection: status?.gcFence ? { fenced: true, reason: status.gcFence.reason, message: status.gcFence.message } : { fenced: status ? false : null, reason: null, message: null },
    };
  });
  return json(200, { hubs });
});
