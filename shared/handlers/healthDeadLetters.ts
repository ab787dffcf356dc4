// The handlers of functions/healthDeadLetters.ts, loaded the first time one of them runs (shared/http/lazyHandlers.ts):
// importing the app registers its functions without loading this module or what it imports.
import { storageServices } from '../composition';
import { parseDeadLettersQuery } from '../http/healthRequests';
import { json, withProblems } from '../http/respond';
import { listDeadLetters } from '../services/health/deadLetters';

// GET /api/health/deadletters: the routed events health ingestion could not use
// (malformed, or refused by storage every time), paged, until they expire.
export const healthDeadLettersHandler = withProblems(async (request) => {
  const { health, pageTokens } = await storageServices();
  const query = parseDeadLettersQuery(request);
  const scope = 'health-deadletters';
  const page = await listDeadLetters(health, {
    now: new Date(),
    pageSize: query.pageSize,
    ...(query.continuationToken ? { continuationToken: pageTokens.open(scope, query.continuationToken) } : {}),
  });
  return json(200, { items: page.items, continuationToken: pageTokens.seal(scope, page.continuationToken) }, { 'cache-control': 'no-store' });
});
