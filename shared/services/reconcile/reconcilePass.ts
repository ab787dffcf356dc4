// One reconcile pass: take the lease, run the steps, renew the lease as it
// goes, and return a report — the structured summary an operator reads when
// something looks wrong (what changed, what failed, how long it took).
import type { SweepReport } from '../health/markSilentOffline';
import { advanceRollouts, type RolloutsReport } from '../rollout/advanceRollouts';
import type { DeviceCountsSource } from './deviceCounts';
import type { PassLease } from './passLease';
import { type HubsPassReport, type ReconcileDeps, reconcileHubs } from './reconcileHubs';
import type { RolloutStatusStore } from './rolloutStatusStore';
import { updateConditions } from './updateConditions';

export interface PassDeps extends ReconcileDeps {
  /** With both, the pass also updates each deployment's rollout conditions. */
  readonly deviceCounts?: DeviceCountsSource;
  readonly rolloutStatus?: RolloutStatusStore;
  /** Moves devices silent past the threshold to offline (before conditions, so they count as offline, not failed). */
  readonly sweepSilentDevices?: (deadline: number) => Promise<SweepReport>;
}

export type PassReport =
  | { readonly ran: false; readonly reason: 'another pass holds the lease'; readonly at: string }
  | {
      readonly ran: true;
      readonly startedAt: string;
      readonly durationMs: number;
      readonly leaseLost: boolean;
      readonly hubs: HubsPassReport;
      readonly sweep: SweepReport | null;
      readonly rollouts: RolloutsReport | null;
      readonly summary: {
        readonly creates: number;
        readonly updates: number;
        readonly deletes: number;
        readonly failures: number;
        readonly unreachableHubs: readonly string[];
        readonly purged: number;
        readonly conditionsChanged: number;
        readonly devicesMarkedOffline: number;
        /** Health counter rows deleted because they counted no device (see markSilentOffline). */
        readonly emptyCountersDropped: number;
        readonly rolloutTransitions: number;
        readonly budgetExceeded: boolean;
      };
    };

export async function reconcilePass(lease: PassLease, deps: PassDeps): Promise<PassReport> {
  const now = deps.now ?? (() => new Date());
  const held = await lease.tryAcquire();
  if (!held) return { ran: false, reason: 'another pass holds the lease', at: now().toISOString() };
  const started = now();
  // The budget is wall-clock time whatever clock the pass reasons with (tests move `now`).
  const deadline = Date.now() + deps.budgetMs;
  let leaseLost = false;
  const renewal = setInterval(() => {
    void held.renew().then((ok) => (leaseLost ||= !ok));
  }, 20_000);
  try {
    const hubs = await reconcileHubs(deps);
    const actions = hubs.hubs.flatMap((h) => h.actions);
    const sweep = deps.sweepSilentDevices && !hubs.budgetExceeded ? await deps.sweepSilentDevices(deadline) : null;
    // After the sweep, so silent devices count as offline (never as failed) when a gate is judged.
    let rollouts: RolloutsReport | null = null;
    if (deps.deviceCounts && deps.rollouts && !hubs.budgetExceeded) {
      const { heads, targets } = await deps.store.desiredState();
      rollouts = await advanceRollouts({ store: deps.store, rollouts: deps.rollouts, counts: deps.deviceCounts, fleet: deps.fleet, configurationFor: deps.configurationFor, now }, heads, targets);
    }
    let conditionsChanged = 0;
    if (deps.deviceCounts && deps.rolloutStatus && !hubs.budgetExceeded) {
      const { heads, targets } = await deps.store.desiredState();
      conditionsChanged = await updateConditions({ store: deps.store, counts: deps.deviceCounts, statuses: deps.rolloutStatus, now }, heads, targets);
    }
    return {
      ran: true,
      startedAt: started.toISOString(),
      durationMs: now().getTime() - started.getTime(),
      leaseLost,
      hubs,
      sweep,
      rollouts,
      summary: {
        creates: actions.filter((a) => a.op === 'create').length,
        updates: actions.filter((a) => a.op === 'update').length,
        deletes: actions.filter((a) => a.op === 'delete').length,
        failures: hubs.hubs.reduce((n, h) => n + h.failures.length, 0),
        unreachableHubs: hubs.hubs.filter((h) => !h.reachable).map((h) => h.hub),
        purged: hubs.purged.length,
        conditionsChanged,
        devicesMarkedOffline: sweep?.markedOffline ?? 0,
        emptyCountersDropped: sweep?.emptyCountersDropped ?? 0,
        rolloutTransitions: rollouts?.transitions.length ?? 0,
        budgetExceeded: hubs.budgetExceeded || (sweep?.stoppedEarly ?? false),
      },
    };
  } finally {
    clearInterval(renewal);
    await held.release();
  }
}
