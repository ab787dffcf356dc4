import { app, type HttpRequest } from '@azure/functions';
import { deploymentsDeps, settings } from '../shared/composition';
import { assertTextWithinLimits, mediaKind, parseBody, readBody } from '../shared/http/body';
import { changeResponse } from '../shared/http/deploymentResponses';
import { expectedRevision, optionalIfMatch, requiredIfMatch } from '../shared/http/etag';
import { deploymentIdParam } from '../shared/http/pathParams';
import { json, withProblems } from '../shared/http/respond';
import { deleteDeployment, getDeployment, patchDeployment, replaceDeployment } from '../shared/services/deployments/deploymentsService';

const idOf = (request: HttpRequest) => deploymentIdParam(request);
/** For `If-Match: *`: the revision that is current now. */
const currentOf = (id: string) => async () => (await getDeployment(await deploymentsDeps(), id)).deployment.revision;

// GET /api/deployments/{id}: the current revision as submitted, its target
// condition, and every hub's sync state. ETag names the revision.
app.http('getDeployment', {
  methods: ['GET'],
  authLevel: 'function',
  route: 'deployments/{id}',
  handler: withProblems(async (request) => {
    const result = await getDeployment(await deploymentsDeps(), idOf(request));
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
    const id = idOf(request);
    const ifMatch = requiredIfMatch(request);
    // A merge patch sent to PUT would be taken as a whole new spec: 415, use PATCH.
    mediaKind(request, ['json', 'yaml']);
    const body = await readBody(request, settings.MAX_REQUEST_BODY_BYTES);
    assertTextWithinLimits(body, request.headers.get('content-type'));
    const expected = await expectedRevision(ifMatch, currentOf(id));
    return changeResponse(await replaceDeployment(await deploymentsDeps(), id, expected, body.toString('utf8'), request.headers.get('content-type') ?? undefined), 'changed');
  }),
});

app.http('patchDeployment', {
  methods: ['PATCH'],
  authLevel: 'function',
  route: 'deployments/{id}',
  handler: withProblems(async (request) => {
    const id = idOf(request);
    const ifMatch = requiredIfMatch(request);
    const kind = mediaKind(request, ['merge-patch', 'json']);
    const patch = parseBody(await readBody(request, settings.MAX_REQUEST_BODY_BYTES), kind);
    const expected = await expectedRevision(ifMatch, currentOf(id));
    return changeResponse(await patchDeployment(await deploymentsDeps(), id, expected, patch), 'changed');
  }),
});

// DELETE removes the deployment's configurations from every hub (If-Match optional).
app.http('deleteDeployment', {
  methods: ['DELETE'],
  authLevel: 'function',
  route: 'deployments/{id}',
  handler: withProblems(async (request) => {
    const result = await deleteDeployment(await deploymentsDeps(), idOf(request), optionalIfMatch(request));
    return json(result.converged ? 200 : 202, result);
  }),
});
