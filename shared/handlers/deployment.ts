// The handlers of functions/deployment.ts, loaded the first time one of them runs (shared/http/lazyHandlers.ts):
// importing the app registers its functions without loading this module or what it imports.
import type { HttpRequest } from '@azure/functions';
import { deploymentsDeps, settings } from '../composition';
import { assertTextWithinLimits, mediaKind, parseBody, readBody } from '../http/body';
import { changeResponse } from '../http/deploymentResponses';
import { expectedRevision, optionalIfMatch, requiredIfMatch } from '../http/etag';
import { deploymentIdParam } from '../http/pathParams';
import { json, withProblems } from '../http/respond';
import { deleteDeployment, getDeployment, patchDeployment, replaceDeployment } from '../services/deployments/deploymentsService';

const idOf = (request: HttpRequest) => deploymentIdParam(request);
/** For `If-Match: *`: the revision that is current now. */
const currentOf = (id: string) => async () => (await getDeployment(await deploymentsDeps(), id)).deployment.revision;

// GET /api/deployments/{id}: the current revision as submitted, its target
// condition, and every hub's sync state. ETag names the revision.
export const getDeploymentHandler = withProblems(async (request) => {
  const result = await getDeployment(await deploymentsDeps(), idOf(request));
  return json(200, result, { etag: result.deployment.etag });
});

// PUT replaces the whole spec, PATCH merges (RFC 7396); both make a new
// revision and need If-Match with the current ETag (412 stale, 428 missing).
export const replaceDeploymentHandler = withProblems(async (request) => {
  const id = idOf(request);
  const ifMatch = requiredIfMatch(request);
  // A merge patch sent to PUT would be taken as a whole new spec: 415, use PATCH.
  mediaKind(request, ['json', 'yaml']);
  const body = await readBody(request, settings.MAX_REQUEST_BODY_BYTES);
  assertTextWithinLimits(body, request.headers.get('content-type'));
  const expected = await expectedRevision(ifMatch, currentOf(id));
  return changeResponse(await replaceDeployment(await deploymentsDeps(), id, expected, body.toString('utf8'), request.headers.get('content-type') ?? undefined), 'changed');
});

export const patchDeploymentHandler = withProblems(async (request) => {
  const id = idOf(request);
  const ifMatch = requiredIfMatch(request);
  const kind = mediaKind(request, ['merge-patch', 'json']);
  const patch = parseBody(await readBody(request, settings.MAX_REQUEST_BODY_BYTES), kind);
  const expected = await expectedRevision(ifMatch, currentOf(id));
  return changeResponse(await patchDeployment(await deploymentsDeps(), id, expected, patch), 'changed');
});

// DELETE removes the deployment's configurations from every hub (If-Match optional).
export const deleteDeploymentHandler = withProblems(async (request) => {
  const result = await deleteDeployment(await deploymentsDeps(), idOf(request), optionalIfMatch(request));
  return json(result.converged ? 200 : 202, result);
});
