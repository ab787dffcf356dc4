import { app } from '@azure/functions';
import { getServices } from '../shared/composition';
import { json, withProblems } from '../shared/http/respond';
import { checkDependencies } from '../shared/services/readiness/checkDependencies';

// GET /api/health: each dependency's reachability; 503 when any is down.
app.http('health', {
  methods: ['GET'],
  authLevel: 'function',
  route: 'health',
  handler: withProblems(async () => {
    const report = await checkDependencies((await getServices()).dependencyProbes);
    return json(report.status === 'healthy' ? 200 : 503, report, { 'cache-control': 'no-store' });
  }),
});
