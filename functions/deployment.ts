import { app, type HttpRequest } from '@azure/functions';
import { deploymentsDeps, getServices } from '../shared/composition';
import { mediaKind, parseBody, readBody } from '../shared/http/body';
import { changeResponse } from '../shared/http/deploymentResponses';
import { optionalIfMatch, requiredIfMatch } from '../shared/http/etag';
import { json, withProblems } from '../shared/http/respond';
import { deleteDeployment, getDeployment, patchDeployment, replaceDeployment } from '../shared/services/deployments/deploymentsService';

const idOf = (request: HttpRequest) => request.params.id ?? '';

// GET /api/deployments/{id}: the current revision as submitted, its target
// condition, and every hub's sync state. ETag names the revision.
app.http('getDeployment', {
  methods: ['GET'],
  authLevel: 'function',
  route: 'deployments/{id}',
  handler: withProblems(async (request) => {
    const result = await getDeployment(deploymentsDeps(), idOf(request));
    return json(200, result, { etag: result.deployment.etag });
  }),
});

// PUT replaces the whole spec, PATCH merges (RFC 7396); both make a new
// revision and need If-Match with the current ETag (412 stale, 428 missing).
app.http('replaceDeployment', {
  methods: ['PUT'],
  authLevel: 'function',
  route: 'deployments/{id}',
  handler: withProblems(async (request) => {
    const expected = requiredIfMatch(request);
    const body = await readBody(request, getServices().settings.MAX_REQUEST_BODY_BYTES);
    return changeResponse(await replaceDeployment(deploymentsDeps(), idOf(request), expected, body.toString('utf8'), request.headers.get('content-type') ?? undefined), 'changed');
  }),
});

app.http('patchDeployment', {
  methods: ['PATCH'],
  authLevel: 'function',
  route: 'deployments/{id}',
  handler: withProblems(async (request) => {
    const expected = requiredIfMatch(request);
    const kind = mediaKind(request, ['merge-patch', 'json']);
    const patch = parseBody(await readBody(request, getServices().settings.MAX_REQUEST_BODY_BYTES), kind);
    return changeResponse(await patchDeployment(deploymentsDeps(), idOf(request), expected, patch), 'changed');
  }),
});

// DELETE removes the deployment's configurations from every hub (If-Match optional).
app.http('deleteDeployment', {
  methods: ['DELETE'],
  authLevel: 'function',
  route: 'deployments/{id}',
  handler: withProblems(async (request) => {
    const result = await deleteDeployment(deploymentsDeps(), idOf(request), optionalIfMatch(request));
    return json(result.converged ? 200 : 202, result);
  }),
});
