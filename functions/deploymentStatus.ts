import { app } from '@azure/functions';
import { statusDeps } from '../shared/composition';
import { json, withProblems } from '../shared/http/respond';
import { deploymentStatus } from '../shared/services/deployments/deploymentStatus';
import { deploymentIdParam } from '../shared/http/pathParams';

// GET /api/deployments/{id}/status: per hub the configuration, its sync state
// (pending / applied / failed with last error, attempts, next attempt) and the
// hub's own counts, with how fresh they are.
app.http('deploymentStatus', {
  methods: ['GET'],
  authLevel: 'function',
  route: 'deployments/{id}/status',
  handler: withProblems(async (request) => {
    const status = await deploymentStatus(await statusDeps(), deploymentIdParam(request));
    return json(200, status, { etag: status.etag, 'cache-control': 'no-store' });
  }),
});
