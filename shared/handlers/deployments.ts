// The handlers of functions/deployments.ts, loaded the first time one of them runs (shared/http/lazyHandlers.ts):
// importing the app registers its functions without loading this module or what it imports.
import type { HttpRequest } from '@azure/functions';
import { deploymentsDeps, storageServices } from '../composition';
import { assertTextWithinLimits, readBody } from '../http/body';
import { changeResponse } from '../http/deploymentResponses';
import { idempotentPost } from '../http/idempotentPost';
import { parseListQuery } from '../http/paging';
import { json, withProblems } from '../http/respond';
import { createDeployment, listDeployments } from '../services/deployments/deploymentsService';

// POST /api/deployments: create a deployment (JSON or YAML: a deployment request,
// or a bare Kubernetes Pod/Deployment). 201 when every hub applied it, 202 when
// the reconciler still has hubs to finish. Idempotency-Key makes retries safe.
export const createDeploymentHandler = withProblems(async (request: HttpRequest) => {
  const { settings, idempotency, idempotencyOptions } = await storageServices();
  const body = await readBody(request, settings.MAX_REQUEST_BODY_BYTES);
  assertTextWithinLimits(body, request.headers.get('content-type'));
  return idempotentPost(
    idempotency,
    request,
    body,
    'POST /deployments',
    async ({ requestId }) => changeResponse(await createDeployment(await deploymentsDeps(), body.toString('utf8'), request.headers.get('content-type') ?? undefined, requestId ? { requestId } : {}), 'created'),
    idempotencyOptions,
  );
});

// GET /api/deployments?pageSize=&continuationToken=&labelSelector=team=edge
export const listDeploymentsHandler = withProblems(async (request: HttpRequest) => {
  const { pageTokens } = await storageServices();
  const query = parseListQuery(request);
  const page = await listDeployments(await deploymentsDeps(), {
    pageSize: query.pageSize,
    ...(query.continuationToken ? { continuationToken: pageTokens.open('deployments', query.continuationToken) } : {}),
    ...(query.labelSelector ? { labels: query.labelSelector } : {}),
  });
  return json(200, { items: page.items, continuationToken: pageTokens.seal('deployments', page.continuationToken) });
});
