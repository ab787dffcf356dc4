import { app } from '@azure/functions';
import { lazyHandlers } from '../shared/http/lazyHandlers';

const handlers = lazyHandlers(() => import('../shared/handlers/rolloutControl.js'));

// POST /api/deployments/{id}/rollout:pause | :resume | :abort | :promote
// (custom methods in the Google API style; the route is a literal segment, so
// every command is its own function). The list is rolloutMachine.ts's
// ROLLOUT_COMMANDS, written out so that registering them loads nothing.
const commands = { pause: 'rolloutPause', resume: 'rolloutResume', abort: 'rolloutAbort', promote: 'rolloutPromote' } as const;
for (const [command, name] of Object.entries(commands)) {
  app.http(name, {
    methods: ['POST'],
    authLevel: 'function',
    route: `deployments/{id}/rollout:${command}`,
    handler: handlers.http(`${name}Handler`),
  });
}
