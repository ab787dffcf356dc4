import { app } from '@azure/functions';
import { fleetServices } from '../shared/composition';
import { ROLLOUT_COMMANDS } from '../shared/domain/rollout/rolloutMachine';
import { json, withProblems } from '../shared/http/respond';
import { controlRollout } from '../shared/services/rollout/controlRollout';
import { deploymentIdParam } from '../shared/http/pathParams';

// POST /api/deployments/{id}/rollout:pause | :resume | :abort | :promote
// (custom methods in the Google API style; the route is a literal segment, so
// every command is its own function).
for (const command of ROLLOUT_COMMANDS) {
  app.http(`rollout${command[0]!.toUpperCase()}${command.slice(1)}`, {
    methods: ['POST'],
    authLevel: 'function',
    route: `deployments/{id}/rollout:${command}`,
    handler: withProblems(async (request) => {
      const { deployments, rollouts, fleet, configurationFor } = await fleetServices();
      const view = await controlRollout({ store: deployments, rollouts, fleet, configurationFor, now: () => new Date(), maxRateWaitMs: 10_000 }, deploymentIdParam(request), command);
      return json(200, view, { 'cache-control': 'no-store' });
    }),
  });
}
