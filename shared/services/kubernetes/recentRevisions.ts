// The last `count` revisions of a deployment, oldest first, read by number:
// the revision table lists in ascending order, so a page would hold the oldest
// ones of a long history, not the ones kubectl shows.
import type { DeploymentStore, RevisionRecord } from '../deployments/deploymentStore';

export async function recentRevisions(store: Pick<DeploymentStore, 'getRevision'>, id: string, current: number, count: number): Promise<RevisionRecord[]> {
  const numbers = Array.from({ length: Math.min(count, current) }, (_, i) => current - i).reverse();
  const read = await Promise.all(numbers.map((n) => store.getRevision(id, n)));
  return read.flatMap((r) => (r ? [r] : []));
}
