import { app, type HttpRequest } from '@azure/functions';
import { deploymentsDeps, storageServices } from '../shared/composition';
import { assertTextWithinLimits, readBody } from '../shared/http/body';
import { changeResponse } from '../shared/http/deploymentResponses';
import { idempotentPost } from '../shared/http/idempotentPost';
import { parseListQuery } from '../shared/http/paging';
import { json, withProblems } from '../shared/http/respond';
import { createDeployment, listDeployments } from '../shared/services/deployments/deploymentsService';

// POST /api/deployments: create a deployment (JSON or YAML: a deployment request,
// or a bare Kubernetes Pod/Deployment). 201 when every hub applied it, 202 when
// the reconciler still has hubs to finish. Idempotency-Key makes retries safe.
app.http('createDeployment', {
  methods: ['POST'],
  authLevel: 'function',
  route: 'deployments',
  handler: withProblems(async (request: HttpRequest) => {
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
  }),
});

// GET /api/deployments?pageSize=&continuationToken=&labelSelector=team=edge
app.http('listDeployments', {
  methods: ['GET'],
  authLevel: 'function',
  route: 'deployments',
  handler: withProblems(async (request: HttpRequest) => {
    const { pageTokens } = await storageServices();
    const query = parseListQuery(request);
    const page = await listDeployments(await deploymentsDeps(), {
      pageSize: query.pageSize,
      ...(query.continuationToken ? { continuationToken: pageTokens.open('deployments', query.continuationToken) } : {}),
      ...(query.labelSelector ? { labels: query.labelSelector } : {}),
    });
    return json(200, { items: page.items, continuationToken: pageTokens.seal('deployments', page.continuationToken) });
  }),
});
