import { join } from 'node:path';
import { app } from '@azure/functions';
import { consoleAssets } from '../shared/http/consoleAssets';
import { consoleSignInEnvironment, consoleSignInGate } from '../shared/http/consoleSignIn';
import { withProblems } from '../shared/http/respond';

const assets = consoleAssets(join(__dirname, '..', 'console'));
const signIn = consoleSignInEnvironment(process.env);

// GET /api/console/: the web console's page and files. Anonymous to the
// Functions host: the files hold no data and no secret, and every API call they
// make needs the function key. In Azure the page is served only to an operator
// signed in through Easy Auth (shared/http/consoleSignIn.ts, infra/modules/easyauth.bicep).
app.http('console', {
  methods: ['GET'],
  authLevel: 'anonymous',
  route: 'console/{*path}',
  handler: withProblems((request) => {
    const url = new URL(request.url);
    const gate = consoleSignInGate(signIn, request.headers, `${url.pathname}${url.search}`);
    if (gate) return Promise.resolve(gate);
    const path = request.params.path ?? '';
    // The page's relative URLs (app.js, ../deployments) need the trailing slash.
    if (path === '' && !url.pathname.endsWith('/')) return Promise.resolve({ status: 308, headers: { location: `${url.pathname}/${url.search}` } });
    return Promise.resolve(assets.respond(path, request.headers.get('if-none-match')));
  }),
});
