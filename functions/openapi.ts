import { app } from '@azure/functions';
import { apiOperations } from '../shared/http/apiCatalog';
import { openApiDocument } from '../shared/http/openapi';

let document: string | undefined;

// GET /api/openapi.json: the API description, generated from the zod schemas
// the functions validate with. Public: it holds no secrets.
app.http('openapi', {
  methods: ['GET'],
  authLevel: 'anonymous',
  route: 'openapi.json',
  handler: () => {
    document ??= JSON.stringify(
      openApiDocument(apiOperations, {
        title: 'Edge fleet deployment control plane',
        version: '0.1.0',
        description: 'Deploy container workloads to IoT Edge fleets across regional Azure IoT Hubs.',
      }),
    );
    return Promise.resolve({ status: 200, headers: { 'content-type': 'application/json' }, body: document });
  },
});
