// The progressive rollout of one revision as a pure state machine: wave N is
// applying (its hubs converge) -> soaking -> its gate passes (next wave, or
// completed) or fails (paused, or rollingBack to the previous revision).
// People pause, resume, abort and promote. Every transition is kept with its
// time, reason and the health figures behind it. The reconciler feeds it
// observations and carries out what a state asks for (see advanceRollouts.ts).
import { conflict } from '../../errors';
import { fail, ok, type Result } from '../deployments/result';
import type { DeviceCounts } from './conditions';
import { type GateFigures, gateFigures, type GateVerdict, judgeGate } from './gate';
import { type GateSpec, hubsReached, type RolloutSpec, type WavePlan } from './rolloutSpec';

export type RolloutPhase = 'applying' | 'soaking' | 'paused' | 'rollingBack' | 'rolledBack' | 'completed' | 'superseded' | 'cancelled';
export type RolloutCommand = 'pause' | 'resume' | 'abort' | 'promote';
export const ROLLOUT_COMMANDS: readonly RolloutCommand[] = ['pause', 'resume', 'abort', 'promote'];

/** The phases in which the rollout still owns which hubs get the revision. */
export const isActive = (phase: RolloutPhase) => phase === 'applying' || phase === 'soaking' || phase === 'paused' || phase === 'rollingBack';

export interface RolloutPlan {
  readonly waves: readonly WavePlan[];
  readonly gate: GateSpec;
  readonly onFailure: RolloutSpec['onFailure'];
}

export interface RolloutTransition {
  readonly at: string;
  readonly from: RolloutPhase | null;
  readonly to: RolloutPhase;
  readonly wave: number;
  readonly reason: string;
  readonly message: string;
  readonly figures?: GateFigures;
}

export interface RolloutState {
  readonly deploymentId: string;
  readonly revision: number;
  /** What a rollback goes back to: the revision before this one (null for a deployment's first). */
  readonly fromRevision: number | null;
  /** Waves with their hubs, fixed when the rollout starts. */
  readonly plan: RolloutPlan;
  readonly phase: RolloutPhase;
  readonly wave: number;
  /** While soaking: when the gate may pass. */
  readonly soakUntil: string | null;
  readonly paused: { readonly from: 'applying' | 'soaking'; readonly by: 'person' | 'gate'; readonly soakRemainingMs: number | null } | null;
  /**
   * The wave's module restart sum its restart figure counts from: taken when the
   * soak begins, lowered when the sum falls below it (edgeAgent resets a healthy
   * module's restartCount; a device leaving takes its restarts along), so a drop
   * never hides later restarts. Null outside a soak or while the counts cannot
   * tell; absent in rollouts recorded before restarts were counted.
   */
  readonly restartsBaseline?: number | null;
  readonly gate: { readonly figures: GateFigures; readonly verdict: GateVerdict; readonly at: string } | null;
  readonly rollbackRevision: number | null;
  readonly startedAt: string;
  readonly updatedAt: string;
  readonly history: readonly RolloutTransition[];
}

/** What the reconciler saw of the current wave. */
export interface WaveObservation {
  /** Every hub of the wave holds the revision's configuration. */
  readonly hubsApplied: boolean;
  /** The wave's devices on the revision, by health state. */
  readonly devices: DeviceCounts;
  /** Their module restarts (sum of restartCount); absent or null when the source cannot tell (hub metrics). */
  readonly restarts?: number | null;
}

const HISTORY_LIMIT = 100;

function transition(state: RolloutState, to: Partial<RolloutState> & { phase: RolloutPhase }, now: Date, reason: string, message: string, figures?: GateFigures): RolloutState {
  const at = now.toISOString();
  const entry: RolloutTransition = { at, from: state.phase, to: to.phase, wave: to.wave ?? state.wave, reason, message, ...(figures ? { figures } : {}) };
  return { ...state, ...to, updatedAt: at, history: [...state.history, entry].slice(-HISTORY_LIMIT) };
}

export function startRollout(args: { deploymentId: string; revision: number; fromRevision: number | null; plan: RolloutPlan; now: Date }): RolloutState {
  const at = args.now.toISOString();
  const first = args.plan.waves[0]!;
  return {
    deploymentId: args.deploymentId,
    revision: args.revision,
    fromRevision: args.fromRevision,
    plan: args.plan,
    phase: 'applying',
    wave: 0,
    soakUntil: null,
    paused: null,
    restartsBaseline: null,
    gate: null,
    rollbackRevision: null,
    startedAt: at,
    updatedAt: at,
    history: [{ at, from: null, to: 'applying', wave: 0, reason: 'Started', message: `revision ${args.revision}: ${describeWave(first)}` }],
  };
}

function nextWave(state: RolloutState, now: Date, reason: string, message: string, figures?: GateFigures): RolloutState {
  const base = { soakUntil: null, paused: null, restartsBaseline: null };
  if (state.wave + 1 >= state.plan.waves.length) return transition(state, { ...base, phase: 'completed' }, now, reason, `${message}; every wave done`, figures);
  const next = state.plan.waves[state.wave + 1]!;
  return transition(state, { ...base, phase: 'applying', wave: state.wave + 1 }, now, reason, `${message}; ${describeWave(next)} starts`, figures);
}

/** `wave 'canary' (weu, eus; devices ring=canary)` for the timeline. */
function describeWave(wave: WavePlan): string {
  const devices = wave.devices ? `; devices ${Object.entries(wave.devices).map(([k, v]) => `${k}=${Array.isArray(v) ? v.join('|') : String(v)}`).join(', ')}` : '';
  return `wave '${wave.name}' (${wave.hubs.join(', ') || 'no hubs'}${devices})`;
}

function gateFailed(state: RolloutState, from: 'applying' | 'soaking', verdict: GateVerdict, figures: GateFigures, now: Date): RolloutState {
  const wave = state.plan.waves[state.wave]!.name;
  if (state.plan.onFailure === 'rollback' && state.fromRevision !== null) {
    return transition(state, { phase: 'rollingBack', soakUntil: null }, now, verdict.reason, `gate of wave '${wave}' failed: ${verdict.message}; rolling back to revision ${state.fromRevision}`, figures);
  }
  const why = state.plan.onFailure === 'rollback' ? '; nothing to roll back to (first revision), paused' : '; paused until resumed or aborted';
  return transition(state, { phase: 'paused', soakUntil: null, paused: { from, by: 'gate', soakRemainingMs: null } }, now, verdict.reason, `gate of wave '${wave}' failed: ${verdict.message}${why}`, figures);
}

/** One evaluation with what the reconciler observed; returns the state unchanged (same object) when nothing moved. */
export function evaluateRollout(current: RolloutState, observation: WaveObservation, now: Date): RolloutState {
  if (current.phase !== 'applying' && current.phase !== 'soaking' && current.phase !== 'paused') return current;
  const wave = current.plan.waves[current.wave]!;
  const state = withRestartsBaseline(current, observation.restarts ?? null);
  const figures = gateFigures(observation.devices, restartsDuringSoak(state, observation.restarts ?? null));
  const soakOver = state.phase === 'soaking' && state.soakUntil !== null && now.getTime() >= Date.parse(state.soakUntil);
  const verdict = judgeGate(state.plan.gate, figures, state.phase === 'paused' || soakOver);
  const refreshed = (s: RolloutState): RolloutState =>
    JSON.stringify(s.gate?.figures) === JSON.stringify(figures) && s.gate?.verdict.reason === verdict.reason ? s : { ...s, gate: { figures, verdict, at: now.toISOString() } };

  if (current.phase === 'paused') return refreshed(state);
  if (!wave.hubs.length) return nextWave(state, now, 'EmptyWave', `wave '${wave.name}' selects no hub`);
  if (verdict.outcome === 'fail') return refreshed(gateFailed(state, current.phase, verdict, figures, now));
  if (current.phase === 'applying') {
    if (!observation.hubsApplied) return refreshed(state);
    const soakUntil = new Date(now.getTime() + wave.soakSeconds * 1000);
    const soaking = transition(state, { phase: 'soaking', soakUntil: soakUntil.toISOString(), restartsBaseline: observation.restarts ?? null }, now, 'HubsApplied', `every hub of wave '${wave.name}' holds the revision; soaking ${wave.soakSeconds} s`, figures);
    // Judged at once: with its restart figure (0 so far), and passed at once when there is no soak.
    return evaluateRollout(soaking, observation, now);
  }
  if (verdict.outcome === 'pass') return refreshed(nextWave(state, now, 'GatePassed', `gate of wave '${wave.name}' passed: ${verdict.message}`, figures));
  return refreshed(state);
}

/** A soak counts restarts: while soaking, and while paused in the middle of one (resuming keeps the count). */
const countsRestarts = (s: RolloutState) => s.phase === 'soaking' || (s.phase === 'paused' && s.paused?.from === 'soaking');

function withRestartsBaseline(state: RolloutState, restarts: number | null): RolloutState {
  if (!countsRestarts(state) || restarts === null) return state;
  const baseline = state.restartsBaseline ?? null;
  return baseline === null || restarts < baseline ? { ...state, restartsBaseline: restarts } : state;
}

function restartsDuringSoak(state: RolloutState, restarts: number | null): number | null {
  const baseline = state.restartsBaseline ?? null;
  return countsRestarts(state) && baseline !== null && restarts !== null ? Math.max(0, restarts - baseline) : null;
}

const notNow = (state: RolloutState, command: RolloutCommand, why: string): Result<RolloutState> =>
  fail(conflict(`cannot ${command} the rollout of revision ${state.revision}: it is ${state.phase}${why ? `, ${why}` : ''}`, 'RolloutStateConflict'));

/** A person's command; a 409 when the rollout is not in a phase that allows it. */
export function commandRollout(state: RolloutState, command: RolloutCommand, now: Date): Result<RolloutState> {
  const wave = state.plan.waves[state.wave]!.name;
  switch (command) {
    case 'pause': {
      if (state.phase !== 'applying' && state.phase !== 'soaking') return notNow(state, command, '');
      const soakRemainingMs = state.phase === 'soaking' && state.soakUntil ? Math.max(0, Date.parse(state.soakUntil) - now.getTime()) : null;
      return ok(transition(state, { phase: 'paused', soakUntil: null, paused: { from: state.phase, by: 'person', soakRemainingMs } }, now, 'Paused', `paused by a person in wave '${wave}'`));
    }
    case 'resume': {
      if (state.phase !== 'paused' || !state.paused) return notNow(state, command, '');
      if (state.paused.by === 'gate') return ok(nextWave(state, now, 'ResumedPastGate', `a person accepted wave '${wave}' despite its gate`));
      const soakUntil = state.paused.from === 'soaking' ? new Date(now.getTime() + (state.paused.soakRemainingMs ?? 0)).toISOString() : null;
      return ok(transition(state, { phase: state.paused.from, soakUntil, paused: null }, now, 'Resumed', `resumed by a person in wave '${wave}'`));
    }
    case 'abort': {
      if (state.phase !== 'applying' && state.phase !== 'soaking' && state.phase !== 'paused') return notNow(state, command, '');
      if (state.fromRevision === null) return notNow(state, command, 'and it is the first revision: there is nothing to roll back to (delete the deployment instead)');
      return ok(transition(state, { phase: 'rollingBack', soakUntil: null, paused: null }, now, 'Aborted', `aborted by a person in wave '${wave}'; rolling back to revision ${state.fromRevision}`));
    }
    case 'promote': {
      if (state.phase !== 'soaking') return notNow(state, command, state.phase === 'applying' ? 'the wave\'s hubs are not applied yet' : '');
      return ok(transition(state, { phase: 'soaking', soakUntil: now.toISOString() }, now, 'Promoted', `a person ended the soak of wave '${wave}'; the gate is judged at the next pass`));
    }
  }
}

export function markRolledBack(state: RolloutState, rollbackRevision: number, now: Date): RolloutState {
  return transition(state, { phase: 'rolledBack', rollbackRevision }, now, 'RolledBack', `revision ${rollbackRevision} restores revision ${state.fromRevision} on every hub`);
}

export function markSuperseded(state: RolloutState, byRevision: number, now: Date): RolloutState {
  return transition(state, { phase: 'superseded', soakUntil: null, paused: null }, now, 'Superseded', `revision ${byRevision} replaced revision ${state.revision} before the rollout finished`);
}

/** The deployment was deleted: its rollout ends where it is (the deletion removes the revision from every hub). */
export function markDeploymentDeleted(state: RolloutState, now: Date): RolloutState {
  const wave = state.plan.waves[state.wave]!.name;
  return transition(state, { phase: 'cancelled', soakUntil: null, paused: null }, now, 'DeploymentDeleted', `the deployment was deleted while the rollout of revision ${state.revision} was ${state.phase} in wave '${wave}'`);
}

/**
 * Which hubs should hold the rollout's revision now (every hub of the waves
 * reached so far), each with the condition its devices are narrowed to, or null
 * for the whole hub.
 */
export function reachedHubs(state: RolloutState): Map<string, string | null> {
  if (state.phase === 'rolledBack' || state.phase === 'superseded' || state.phase === 'rollingBack' || state.phase === 'cancelled') return new Map();
  return hubsReached(state.plan.waves, state.wave);
}
