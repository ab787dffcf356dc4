// The reconciler's rollout step, level-triggered: for each deployment whose
// current revision rolls out progressively, make the hubs of the waves reached
// so far hold it, observe the current wave (hubs applied, device health), let
// the state machine decide, and carry out a rollback when it asks for one.
import { evaluateRollout, isActive, markRolledBack, markSuperseded, reachedHubs, type RolloutState } from '../../domain/rollout/rolloutMachine';
import { isProgressive } from '../../domain/rollout/rolloutSpec';
import type { ConfigurationFor } from '../deployments/configurationFor';
import { type DeploymentHead, type DeploymentStore, holdsAssignment, type HubTarget, type RevisionRecord } from '../deployments/deploymentStore';
import { fanOut } from '../deployments/fanOut';
import type { HubFleet } from '../deployments/hubRuntime';
import { type DeviceCountsSource, sumCounts } from '../reconcile/deviceCounts';
import { carryOutRollback } from './carryOutRollback';
import type { RolloutStore } from './rolloutStore';
import { recordRolloutStart, rolloutPlan } from './startRollouts';

export interface AdvanceDeps {
  readonly store: DeploymentStore;
  readonly rollouts: RolloutStore;
  readonly counts: DeviceCountsSource;
  readonly fleet: HubFleet;
  readonly configurationFor: ConfigurationFor;
  readonly now: () => Date;
}

export interface RolloutTransitionEvent {
  readonly deploymentId: string;
  readonly revision: number;
  readonly wave: number;
  readonly from: string | null;
  readonly to: string;
  readonly reason: string;
}

export interface RolloutsReport {
  /** Transitions this pass, one structured log event each. */
  readonly transitions: readonly RolloutTransitionEvent[];
  readonly hubsAssigned: number;
}

export async function advanceRollouts(deps: AdvanceDeps, heads: readonly DeploymentHead[], targets: readonly HubTarget[]): Promise<RolloutsReport> {
  // Every counter is read once, and only when some deployment is rolling out.
  let source: DeviceCountsSource | undefined;
  const counted = async (id: string, revision: number) => {
    source ??= deps.counts.prefetch ? await deps.counts.prefetch() : deps.counts;
    return source.count(id, revision);
  };
  const transitions: RolloutTransitionEvent[] = [];
  let hubsAssigned = 0;

  for (const head of heads.filter((h) => !h.deletedAt)) {
    const revision = await deps.store.getRevision(head.id, head.currentRevision);
    if (!revision) continue;
    let stored = await deps.rollouts.get(head.id);
    const save = async (next: RolloutState) => {
      if (next === stored?.state) return;
      const written = await deps.rollouts.put(next, stored?.etag);
      if (written) {
        for (const t of next.history.slice(stored?.state.revision === next.revision ? stored.state.history.length : 0)) {
          transitions.push({ deploymentId: next.deploymentId, revision: next.revision, wave: t.wave, from: t.from, to: t.to, reason: t.reason });
        }
      }
      // Another writer (a person's command) won: the next pass starts from what they wrote.
      stored = written ? await deps.rollouts.get(head.id) : undefined;
    };

    // An unfinished rollout of an older revision: the head moved on (a rollback it asked for, or a newer revision).
    if (stored && stored.state.revision !== revision.number && isActive(stored.state.phase)) {
      const restored = revision.cause.kind === 'rollback' && revision.cause.toRevision === stored.state.fromRevision;
      await save(restored ? markRolledBack(stored.state, revision.number, deps.now()) : markSuperseded(stored.state, revision.number, deps.now()));
    }
    if (!isProgressive(revision)) continue;
    if (stored?.state.revision !== revision.number) {
      const plan = rolloutPlan(revision, selectedHubs(deps.fleet, revision))!;
      const started = await recordRolloutStart(deps.rollouts, { deploymentId: head.id, revision: revision.number, revisionBefore: revision.number > 1 ? revision.number - 1 : null, plan, now: deps.now() });
      if (!started) continue;
      stored = await deps.rollouts.get(head.id);
    }
    if (!stored || stored.state.phase === 'rolledBack' || stored.state.phase === 'superseded') continue;

    let mine = targets.filter((t) => t.deploymentId === head.id);
    // Level-triggered: every hub of the waves reached so far holds the revision (synced now, not at the next pass).
    // A hub of a narrowed wave holds the revision for those devices only, until a whole-hub wave widens it.
    const assignReached = async (state: RolloutState) => {
      const missing = [...reachedHubs(state)]
        .filter(([hub, narrowTo]) => !holdsAssignment(mine.find((t) => t.hub === hub), revision.number, narrowTo))
        .map(([hub, narrowTo]) => ({ hub, narrowTo }));
      if (!missing.length || !(await deps.store.assignHubs(head.id, revision.number, missing))) return;
      hubsAssigned += missing.length;
      mine = await deps.store.hubTargets(head.id);
      await fanOut(head.id, mine.filter((t) => missing.some((m) => m.hub === t.hub)), { store: deps.store, fleet: deps.fleet, configurationFor: deps.configurationFor, now: deps.now });
      mine = await deps.store.hubTargets(head.id);
    };
    await assignReached(stored.state);

    const state = stored.state;
    const waveHubs = state.plan.waves[state.wave]!.hubs;
    const counts = await counted(head.id, revision.number);
    const observation = {
      hubsApplied: waveHubs.every((hub) => mine.some((t) => t.hub === hub && t.desiredRevision === revision.number && t.state === 'applied')),
      devices: sumCounts(waveHubs.flatMap((hub) => { const c = counts.byHub.get(hub); return c ? [c] : []; })),
      // Null when the counts cannot tell (hub metrics): the gate then has no restart figure.
      restarts: counts.restartsByHub ? waveHubs.reduce((sum, hub) => sum + (counts.restartsByHub?.get(hub) ?? 0), 0) : null,
    };
    let next = evaluateRollout(state, observation, deps.now());
    if (next.phase === 'rollingBack') {
      // Recorded first, so a crash before the rollback commits still leaves a rollout asking for one.
      await save(next);
      if (!stored || stored.state.phase !== 'rollingBack') continue;
      next = await carryOutRollback(deps, stored.state);
    }
    await save(next);
    if (stored && stored.state.wave !== state.wave) await assignReached(stored.state);
  }
  return { transitions, hubsAssigned };
}

function selectedHubs(fleet: HubFleet, revision: RevisionRecord) {
  const all = [...fleet.hubs.values()];
  // The hubs the revision chose when it was made, in settings order.
  return all.filter((h) => revision.hubs.includes(h.name));
}
