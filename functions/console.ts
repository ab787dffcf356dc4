import { app } from '@azure/functions';
import { lazyHandlers } from '../shared/http/lazyHandlers';

const handlers = lazyHandlers(() => import('../shared/handlers/console.js'));

// GET /api/console/: the web console's page and files. Anonymous to the
// Functions host: the files hold no data and no secret, and every API call they
// make needs the function key. In Azure the page is served only to an operator
// signed in through Easy Auth (shared/http/consoleSignIn.ts, infra/modules/easyauth.bicep).
app.http('console', {
  methods: ['GET'],
  authLevel: 'anonymous',
  route: 'console/{*path}',
  handler: handlers.http('consoleHandler'),
});
