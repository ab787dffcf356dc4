// The handlers of functions/deploymentStatus.ts, loaded the first time one of them runs (shared/http/lazyHandlers.ts):
// importing the app registers its functions without loading this module or what it imports.
import { statusDeps } from '../composition';
import { json, withProblems } from '../http/respond';
import { deploymentStatus } from '../services/deployments/deploymentStatus';
import { deploymentIdParam } from '../http/pathParams';

// GET /api/deployments/{id}/status: per hub the configuration, its sync state
// (pending / applied / failed with last error, attempts, next attempt) and the
// hub's own counts, with how fresh they are.
export const deploymentStatusHandler = withProblems(async (request) => {
  const status = await deploymentStatus(await statusDeps(), deploymentIdParam(request));
  return json(200, status, { etag: status.etag, 'cache-control': 'no-store' });
});
