// The handlers of functions/health.ts, loaded the first time one of them runs (shared/http/lazyHandlers.ts):
// importing the app registers its functions without loading this module or what it imports.
import { getServices } from '../composition';
import { json, withProblems } from '../http/respond';
import { checkDependencies } from '../services/readiness/checkDependencies';

// GET /api/health: each dependency's reachability; 503 when any is down.
export const healthHandler = withProblems(async () => {
  const report = await checkDependencies((await getServices()).dependencyProbes);
  return json(report.status === 'healthy' ? 200 : 503, report, { 'cache-control': 'no-store' });
});
