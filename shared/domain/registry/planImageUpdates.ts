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
  readonly reason: string;
}

export function planImageUpdates(
  deployments: readonly { readonly deploymentId: string; readonly revision: Pick<Revision, 'content' | 'updatePolicies'> }[],
  pushed: ImageName,
): { changes: PlannedChange[]; skipped: Skipped[] } {
  const changes: PlannedChange[] = [];
  const skipped: Skipped[] = [];
  const ordered = [...deployments].sort((a, b) => a.deploymentId.localeCompare(b.deploymentId));
  for (const { deploymentId, revision } of ordered) {
    const images = moduleImages(revision.content);
    for (const module of Object.keys(revision.updatePolicies).sort()) {
      const from = images[module];
      if (!from) continue;
      const decision = decideUpdate(revision.updatePolicies[module], from, pushed);
      if (decision.update) changes.push({ deploymentId, module, from, to: decision.newReference, reason: decision.reason });
      else if (decision.reason !== 'a different repository') skipped.push({ deploymentId, module, reason: decision.reason });
    }
  }
  return { changes, skipped };
}
