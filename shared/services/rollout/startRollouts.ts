// Starting a progressive rollout: which hubs each wave holds, which hubs keep
// the previous revision for now, and what a rollback goes back to. Used when a
// revision is committed (HTTP, registry push) and by the reconciler when a
// rollout's state is missing (a crash between the two writes).
import type { SelectableHub } from '../../domain/deployments/hubSelector';
import { isActive, type RolloutPlan, type RolloutState, startRollout } from '../../domain/rollout/rolloutMachine';
import { isProgressive, planWaves } from '../../domain/rollout/rolloutSpec';
import type { RevisionRecord } from '../deployments/deploymentStore';
import type { RolloutStore, StoredRollout } from './rolloutStore';

export function rolloutPlan(revision: Pick<RevisionRecord, 'spec' | 'cause'>, selected: readonly SelectableHub[]): RolloutPlan | undefined {
  const rollout = revision.spec.rollout;
  if (!rollout || !isProgressive(revision)) return undefined;
  return { waves: planWaves(rollout, selected), gate: rollout.gate, onFailure: rollout.onFailure };
}

/** Hubs that keep what they run until their wave comes: every selected hub outside the first wave. */
export function heldBackHubs(plan: RolloutPlan | undefined): string[] {
  return plan ? plan.waves.slice(1).flatMap((w) => w.hubs) : [];
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
