// The reconciler's last step: for each live deployment, observe its hubs and
// devices, compute its conditions, and store them when they changed.
import { computeConditions, type ConditionPolicy, defaultConditionPolicy, progressKey } from '../../domain/rollout/conditions';
import type { DeploymentHead, DeploymentStore, HubTarget } from '../deployments/deploymentStore';
import { type DeviceCountsSource, sumCounts } from './deviceCounts';
import type { RolloutStatusStore } from './rolloutStatusStore';

export interface ConditionDeps {
  readonly store: DeploymentStore;
  readonly counts: DeviceCountsSource;
  readonly statuses: RolloutStatusStore;
  readonly now: () => Date;
}

/** Returns how many deployments' conditions changed. */
export async function updateConditions(deps: ConditionDeps, heads: readonly DeploymentHead[], targets: readonly HubTarget[]): Promise<number> {
  const previous = new Map((await deps.statuses.all()).map((s) => [s.deploymentId, s]));
  // Every deployment is counted: read all counters once rather than once per deployment and hub.
  const source = deps.counts.prefetch ? await deps.counts.prefetch() : deps.counts;
  let changed = 0;
  for (const head of heads.filter((h) => !h.deletedAt)) {
    const revision = await deps.store.getRevision(head.id, head.currentRevision);
    if (!revision) continue;
    const mine = targets.filter((t) => t.deploymentId === head.id && t.desiredRevision === head.currentRevision);
    const hubs = { applied: 0, pending: 0, failed: 0 };
    for (const t of targets) {
      if (t.deploymentId !== head.id || t.desiredRevision === null) continue;
      hubs[hubState(t, head.currentRevision)]++;
    }
    const counts = await source.count(head.id, head.currentRevision);
    const devices = sumCounts([...counts.byHub].filter(([hub]) => mine.some((t) => t.hub === hub)).map(([, c]) => c));
    const now = deps.now();
    const key = progressKey({ hubs, devices });
    const before = previous.get(head.id);
    const sameRevision = before?.revision === head.currentRevision;
    const lastProgressAt = sameRevision && before.progressKey === key ? new Date(before.lastProgressAt) : sameRevision ? now : new Date(revision.createdAt);
    // Revisions stored before these fields existed fall back to the defaults.
    const policy: ConditionPolicy = {
      progressDeadlineSeconds: revision.spec.progressDeadlineSeconds ?? defaultConditionPolicy.progressDeadlineSeconds,
      degradedFailedPercent: revision.spec.degradedFailedPercent ?? defaultConditionPolicy.degradedFailedPercent,
    };
    const conditions = computeConditions({ revision: head.currentRevision, now, hubs, devices, lastProgressAt }, policy, sameRevision ? before.conditions : []);
    if (sameRevision && before.progressKey === key && JSON.stringify(before.conditions) === JSON.stringify(conditions)) continue;
    await deps.statuses.put({ deploymentId: head.id, revision: head.currentRevision, conditions, progressKey: key, lastProgressAt: lastProgressAt.toISOString(), observedAt: now.toISOString() });
    changed++;
  }
  return changed;
}

/**
 * A hub as the conditions see it. Hubs a progressive rollout still holds at an
 * older revision, or has narrowed to some of their devices, are not there yet
 * (pending): the rollout is not Complete until every targeted device could be.
 */
function hubState(t: HubTarget, currentRevision: number): 'applied' | 'pending' | 'failed' {
  if (t.desiredRevision !== currentRevision) return 'pending';
  if (t.state === 'failed') return 'failed';
  return t.state === 'applied' && t.narrowTo === undefined ? 'applied' : 'pending';
}
