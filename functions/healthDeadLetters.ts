import { app } from '@azure/functions';
import { lazyHandlers } from '../shared/http/lazyHandlers';

const handlers = lazyHandlers(() => import('../shared/handlers/healthDeadLetters.js'));

// GET /api/health/deadletters: the routed events health ingestion could not use
// (malformed, or refused by storage every time), paged, until they expire.
app.http('healthDeadLetters', {
  methods: ['GET'],
  authLevel: 'function',
  route: 'health/deadletters',
  handler: handlers.http('healthDeadLettersHandler'),
});
