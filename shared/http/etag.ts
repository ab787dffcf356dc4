// Deployment ETags name the revision (`"r7"`): a PUT, PATCH or rollback must
// say which revision it replaces (If-Match), so concurrent writers cannot
// silently overwrite each other. `If-Match: *` matches whatever revision is
// current (RFC 9110, section 13.1.1): the deployment only has to exist.
import type { HttpRequest } from '@azure/functions';
import { preconditionFailed, preconditionRequired } from '../errors';

export { revisionETag } from '../services/deployments/deploymentViews';

/** A revision number, or `*` for "the current one, whatever it is". */
export type IfMatch = number | '*';

/** The revision named by If-Match; 428 when missing, 412 when it is not one of ours. */
export function requiredIfMatch(request: HttpRequest): IfMatch {
  const header = request.headers.get('if-match');
  if (!header) throw preconditionRequired('this change needs an If-Match header with the deployment\'s current ETag (from GET)');
  if (header.trim() === '*') return '*';
  const match = /^(?:W\/)?"r(\d{1,9})"$/.exec(header.trim());
  if (!match) throw preconditionFailed(`If-Match '${header}' does not name a revision of this deployment`);
  return Number(match[1]);
}

/** Like requiredIfMatch, but DELETE and rollback may go without (undefined then); `*` asks for no revision check either. */
export function optionalIfMatch(request: HttpRequest): number | undefined {
  if (!request.headers.get('if-match')) return undefined;
  const value = requiredIfMatch(request);
  return value === '*' ? undefined : value;
}

/** The revision to guard a change with: the named one, or for `*` the current one (read when asked). */
export async function expectedRevision(ifMatch: IfMatch, current: () => Promise<number>): Promise<number> {
  return ifMatch === '*' ? current() : ifMatch;
}
