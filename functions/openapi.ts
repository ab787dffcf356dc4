import { app } from '@azure/functions';
import { lazyHandlers } from '../shared/http/lazyHandlers';

const handlers = lazyHandlers(() => import('../shared/handlers/openapi.js'));

// GET /api/openapi.json: the API description, generated from the zod schemas
// the functions validate with. Public: it holds no secrets.
app.http('openapi', {
  methods: ['GET'],
  authLevel: 'anonymous',
  route: 'openapi.json',
  handler: handlers.http('openapiHandler'),
});
