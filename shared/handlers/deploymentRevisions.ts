// The handlers of functions/deploymentRevisions.ts, loaded the first time one of them runs (shared/http/lazyHandlers.ts):
// importing the app registers its functions without loading this module or what it imports.
import type { HttpRequest } from '@azure/functions';
import { deploymentsDeps, settings, storageServices } from '../composition';
import { mediaKind, parseBody, readBody } from '../http/body';
import { changeResponse } from '../http/deploymentResponses';
import { optionalIfMatch } from '../http/etag';
import { deploymentIdParam } from '../http/pathParams';
import { parseListQuery } from '../http/paging';
import { validationError } from '../http/problem';
import { rollbackRequestSchema } from '../http/requestSchemas';
import { json, withProblems } from '../http/respond';
import { listRevisions, rollbackDeployment } from '../services/deployments/deploymentsService';

const idOf = (request: HttpRequest) => deploymentIdParam(request);

// GET /api/deployments/{id}/revisions: the history, oldest first, paged.
export const listRevisionsHandler = withProblems(async (request) => {
  const id = idOf(request);
  const { pageTokens } = await storageServices();
  const query = parseListQuery(request);
  const scope = `revisions:${id}`;
  const page = await listRevisions(await deploymentsDeps(), id, { pageSize: query.pageSize, ...(query.continuationToken ? { continuationToken: pageTokens.open(scope, query.continuationToken) } : {}) });
  return json(200, { items: page.items, continuationToken: pageTokens.seal(scope, page.continuationToken) });
});

// POST /api/deployments/{id}/rollback {"revision": 3}: a new revision equal to revision 3.
export const rollbackDeploymentHandler = withProblems(async (request) => {
  const kind = mediaKind(request, ['json']);
  const parsed = rollbackRequestSchema.safeParse(parseBody(await readBody(request, settings.MAX_REQUEST_BODY_BYTES), kind));
  if (!parsed.success) throw validationError(parsed.error, 'The rollback request');
  return changeResponse(await rollbackDeployment(await deploymentsDeps(), idOf(request), optionalIfMatch(request), parsed.data.revision), 'changed');
});
