// The handlers of functions/rolloutControl.ts, loaded the first time one of them runs (shared/http/lazyHandlers.ts).
import type { HttpHandler } from '@azure/functions';
import { fleetServices } from '../composition';
import type { RolloutCommand } from '../domain/rollout/rolloutMachine';
import { deploymentIdParam } from '../http/pathParams';
import { json, withProblems } from '../http/respond';
import { controlRollout } from '../services/rollout/controlRollout';

const control = (command: RolloutCommand): HttpHandler =>
  withProblems(async (request) => {
    const { deployments, rollouts, fleet, configurationFor } = await fleetServices();
    const view = await controlRollout({ store: deployments, rollouts, fleet, configurationFor, now: () => new Date(), maxRateWaitMs: 10_000 }, deploymentIdParam(request), command);
    return json(200, view, { 'cache-control': 'no-store' });
  });

export const rolloutPauseHandler = control('pause');
export const rolloutResumeHandler = control('resume');
export const rolloutAbortHandler = control('abort');
export const rolloutPromoteHandler = control('promote');
