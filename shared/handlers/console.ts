// The handlers of functions/console.ts, loaded the first time one of them runs (shared/http/lazyHandlers.ts):
// importing the app registers its functions without loading this module or what it imports.
import { join } from 'node:path';
import { settings } from '../composition';
import { consoleAssets } from '../http/consoleAssets';
import { consoleSignInEnvironment, consoleSignInGate } from '../http/consoleSignIn';
import { withProblems } from '../http/respond';

const assets = consoleAssets(join(__dirname, '..', '..', 'console'));
const signIn = consoleSignInEnvironment(process.env, settings.LOCAL_DEV);

// GET /api/console/: the web console's page and files. Anonymous to the
// Functions host: the files hold no data and no secret, and every API call they
// make needs the function key. In Azure the page is served only to an operator
// signed in through Easy Auth (shared/http/consoleSignIn.ts, infra/modules/easyauth.bicep).
export const consoleHandler = withProblems((request) => {
  const url = new URL(request.url);
  const gate = consoleSignInGate(signIn, request.headers, `${url.pathname}${url.search}`);
  if (gate) return Promise.resolve(gate);
  const path = request.params.path ?? '';
  // The page's relative URLs (app.js, ../deployments) need the trailing slash.
  if (path === '' && !url.pathname.endsWith('/')) return Promise.resolve({ status: 308, headers: { location: `${url.pathname}/${url.search}` } });
  return Promise.resolve(assets.respond(path, request.headers.get('if-none-match')));
});
