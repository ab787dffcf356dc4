import { app } from '@azure/functions';
import { storageServices } from '../shared/composition';
import { parseDeadLettersQuery } from '../shared/http/healthRequests';
import { json, withProblems } from '../shared/http/respond';
import { listDeadLetters } from '../shared/services/health/deadLetters';

// GET /api/health/deadletters: the routed events health ingestion could not use
// (malformed, or refused by storage every time), paged, until they expire.
app.http('healthDeadLetters', {
  methods: ['GET'],
  authLevel: 'function',
  route: 'health/deadletters',
  handler: withProblems(async (request) => {
    const { health, pageTokens } = await storageServices();
    const query = parseDeadLettersQuery(request);
    const scope = 'health-deadletters';
    const page = await listDeadLetters(health, {
      now: new Date(),
      pageSize: query.pageSize,
      ...(query.continuationToken ? { continuationToken: pageTokens.open(scope, query.continuationToken) } : {}),
    });
    return json(200, { items: page.items, continuationToken: pageTokens.seal(scope, page.continuationToken) }, { 'cache-control': 'no-store' });
  }),
});
