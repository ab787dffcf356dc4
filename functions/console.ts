import { join } from 'node:path';
import { app } from '@azure/functions';
import { consoleAssets } from '../shared/http/consoleAssets';
import { withProblems } from '../shared/http/respond';

const assets = consoleAssets(join(__dirname, '..', 'console'));

// GET /api/console/: the web console's page and files. Anonymous: the files
// hold no data and no secret; every API call they make needs the function key
// (in Azure, Easy Auth signs the operator in first: infra/modules/easyauth.bicep).
app.http('console', {
  methods: ['GET'],
  authLevel: 'anonymous',
  route: 'console/{*path}',
  handler: withProblems((request) => {
    const url = new URL(request.url);
    const path = request.params.path ?? '';
    // The page's relative URLs (app.js, ../deployments) need the trailing slash.
    if (path === '' && !url.pathname.endsWith('/')) return Promise.resolve({ status: 308, headers: { location: `${url.pathname}/${url.search}` } });
    return Promise.resolve(assets.respond(path, request.headers.get('if-none-match')));
  }),
});
