// Starting a progressive rollout: which hubs each wave holds, which hubs keep
// the previous revision for now, and what a rollback goes back to. Used when a
// revision is committed (HTTP, registry push) and by the reconciler when a
// rollout's state is missing (a crash between the two writes).
import type { SelectableHub } from '../../domain/deployments/hubSelector';
import { isActive, type RolloutPlan, type RolloutState, startRollout } from '../../domain/rollout/rolloutMachine';
import { hubsReached, isProgressive, planWaves } from '../../domain/rollout/rolloutSpec';
import type { RevisionRecord } from '../deployments/deploymentStore';
import type { RolloutStore, StoredRollout } from './rolloutStore';

export function rolloutPlan(revision: Pick<RevisionRecord, 'spec' | 'cause'>, selected: readonly SelectableHub[]): RolloutPlan | undefined {
  const rollout = revision.spec.rollout;
  if (!rollout || !isProgressive(revision)) return undefined;
  return { waves: planWaves(rollout, selected), gate: rollout.gate, onFailure: rollout.onFailure };
}

/**
 * How a revision's hubs start when it is committed: `keep` holds every hub the
 * first wave does not reach (it keeps what it runs until its wave comes);
 * `narrowed` the first wave's hubs that get the revision for some devices only.
 */
export function firstWave(plan: RolloutPlan | undefined): { keep: string[]; narrowed: Record<string, string> } {
  if (!plan) return { keep: [], narrowed: {} };
  const reached = hubsReached(plan.waves, 0);
  const keep = [...new Set(plan.waves.flatMap((w) => w.hubs))].filter((hub) => !reached.has(hub));
  const narrowed = Object.fromEntries([...reached].flatMap(([hub, condition]) => (condition === null ? [] : [[hub, condition] as const])));
  return { keep, narrowed };
}

/**
 * The revision a rollback restores: the one before, unless that one was itself
 * still rolling out (never everywhere), then the one it would have restored.
 */
export function rollbackTarget(previous: StoredRollout | undefined, revisionBefore: number | null): number | null {
  if (revisionBefore === null) return null;
  const before = previous?.state;
  if (before?.revision === revisionBefore && isActive(before.phase)) return before.fromRevision;
  return revisionBefore;
}

/** Records the start of a revision's rollout, replacing whatever rollout the deployment had; returns the state written, or undefined if another writer won. */
export async function recordRolloutStart(
  rollouts: RolloutStore,
  args: { deploymentId: string; revision: number; revisionBefore: number | null; plan: RolloutPlan; now: Date },
): Promise<RolloutState | undefined> {
  const previous = await rollouts.get(args.deploymentId);
  if (previous?.state.revision === args.revision) return previous.state;
  const state = startRollout({ deploymentId: args.deploymentId, revision: args.revision, fromRevision: rollbackTarget(previous, args.revisionBefore), plan: args.plan, now: args.now });
  return (await rollouts.put(state, previous?.etag)) ? state : undefined;
}
