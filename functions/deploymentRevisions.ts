import { app, type HttpRequest } from '@azure/functions';
import { deploymentsDeps, settings, storageServices } from '../shared/composition';
import { mediaKind, parseBody, readBody } from '../shared/http/body';
import { changeResponse } from '../shared/http/deploymentResponses';
import { optionalIfMatch } from '../shared/http/etag';
import { deploymentIdParam } from '../shared/http/pathParams';
import { parseListQuery } from '../shared/http/paging';
import { validationError } from '../shared/http/problem';
import { rollbackRequestSchema } from '../shared/http/requestSchemas';
import { json, withProblems } from '../shared/http/respond';
import { listRevisions, rollbackDeployment } from '../shared/services/deployments/deploymentsService';

const idOf = (request: HttpRequest) => deploymentIdParam(request);

// GET /api/deployments/{id}/revisions: the history, oldest first, paged.
app.http('listRevisions', {
  methods: ['GET'],
  authLevel: 'function',
  route: 'deployments/{id}/revisions',
  handler: withProblems(async (request) => {
    const id = idOf(request);
    const { pageTokens } = await storageServices();
    const query = parseListQuery(request);
    const scope = `revisions:${id}`;
    const page = await listRevisions(await deploymentsDeps(), id, { pageSize: query.pageSize, ...(query.continuationToken ? { continuationToken: pageTokens.open(scope, query.continuationToken) } : {}) });
    return json(200, { items: page.items, continuationToken: pageTokens.seal(scope, page.continuationToken) });
  }),
});

// POST /api/deployments/{id}/rollback {"revision": 3}: a new revision equal to revision 3.
app.http('rollbackDeployment', {
  methods: ['POST'],
  authLevel: 'function',
  route: 'deployments/{id}/rollback',
  handler: withProblems(async (request) => {
    const kind = mediaKind(request, ['json']);
    const parsed = rollbackRequestSchema.safeParse(parseBody(await readBody(request, settings.MAX_REQUEST_BODY_BYTES), kind));
    if (!parsed.success) throw validationError(parsed.error, 'The rollback request');
    return changeResponse(await rollbackDeployment(await deploymentsDeps(), idOf(request), optionalIfMatch(request), parsed.data.revision), 'changed');
  }),
});
