// Deployment ETags name the revision (`"r7"`): a PUT, PATCH or rollback must
// say which revision it replaces (If-Match), so concurrent writers cannot
// silently overwrite each other.
import type { HttpRequest } from '@azure/functions';
import { preconditionFailed, preconditionRequired } from '../errors';

export { revisionETag } from '../services/deployments/deploymentViews';



/** The revision named by If-Match; 428 when missing, 412 when it is not one of ours. */
export function requiredIfMatch(request: HttpRequest): number {
  const header = request.headers.get('if-match');
  if (!header) throw preconditionRequired('this change needs an If-Match header with the deployment\'s current ETag (from GET)');
  const match = /^(?:W\/)?"r(\d{1,9})"$/.exec(header.trim());
  if (!match) throw preconditionFailed(`If-Match '${header}' does not name a revision of this deployment`);
  return Number(match[1]);
}

/** Like requiredIfMatch, but DELETE may go without (undefined then). */
export function optionalIfMatch(request: HttpRequest): number | undefined {
  return request.headers.get('if-match') ? requiredIfMatch(request) : undefined;
}
