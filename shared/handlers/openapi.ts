// The handlers of functions/openapi.ts, loaded the first time one of them runs (shared/http/lazyHandlers.ts):
// importing the app registers its functions without loading this module or what it imports.
import { apiOperations } from '../http/apiCatalog';
import { openApiDocument } from '../http/openapi';

let document: string | undefined;

// GET /api/openapi.json: the API description, generated from the zod schemas
// the functions validate with. Public: it holds no secrets.
export const openapiHandler = () => {
  document ??= JSON.stringify(
    openApiDocument(apiOperations, {
      title: 'Edge fleet deployment control plane',
      version: '0.1.0',
      description: 'Deploy container workloads to IoT Edge fleets across regional Azure IoT Hubs.',
    }),
  );
  return Promise.resolve({ status: 200, headers: { 'content-type': 'application/json' }, body: document });
};
