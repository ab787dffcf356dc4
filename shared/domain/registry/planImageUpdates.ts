// Which modules of which deployments a push changes: every module whose update
// policy accepts the pushed image, across every deployment (one push can move many).
import { moduleImages } from '../deployments/moduleImage';
import type { Revision } from '../deployments/revision';
import type { ImageName } from './imageName';
import { decideUpdate } from './updatePolicy';

export interface PlannedChange {
  readonly deploymentId: string;
  readonly module: string;
  readonly from: string;
  readonly to: string;
  readonly reason: string;
}

export interface Skipped {
  readonly deploymentId: string;
  readonly module: string;
  /** The pushed image (`repository:tag`) the module did not take. */
  readonly pushed: string;
  readonly reason: string;
}

type Candidate = { readonly deploymentId: string; readonly revision: Pick<Revision, 'content' | 'updatePolicies'> };

const describe = (i: ImageName) => `${i.registry}/${i.repository}${i.tag ? `:${i.tag}` : ''}${i.digest ? `@${i.digest}` : ''}`;

/**
 * Several pushes (one delivery can announce many tags) applied in order: each
 * module is judged against the image an earlier push gave it, so 1.2.4 then
 * 1.2.5 ends at 1.2.5 and never steps back. One change per module: first image -> last.
 */
export function planImageUpdates(deployments: readonly Candidate[], pushed: ImageName | readonly ImageName[]): { changes: PlannedChange[]; skipped: Skipped[] } {
  const pushes: readonly ImageName[] = Array.isArray(pushed) ? pushed : [pushed as ImageName];
  const changes: PlannedChange[] = [];
  const skipped: Skipped[] = [];
  const ordered = [...deployments].sort((a, b) => a.deploymentId.localeCompare(b.deploymentId));
  for (const { deploymentId, revision } of ordered) {
    const images = moduleImages(revision.content);
    for (const module of Object.keys(revision.updatePolicies).sort()) {
      const from = images[module];
      if (!from) continue;
      let current = from;
      const reasons: string[] = [];
      const notTaken: Skipped[] = [];
      for (const image of pushes) {
        const decision = decideUpdate(revision.updatePolicies[module], current, image);
        if (decision.update) {
          current = decision.newReference;
          reasons.push(decision.reason);
        } else if (decision.reason !== 'a different repository') notTaken.push({ deploymentId, module, pushed: describe(image), reason: decision.reason });
      }
      if (current !== from) changes.push({ deploymentId, module, from, to: current, reason: reasons.join('; ') });
      else skipped.push(...notTaken);
    }
  }
  return { changes, skipped };
}
