// One reconcile pass: take the lease, run the steps in order over one pass
// context (one deadline, one lease check before every write, one read of
// desired state), and return a report — the structured summary an operator
// reads when something looks wrong (what changed, what failed, how long it
// took, and why it stopped early if it did).
import type { SweepReport } from '../health/markSilentOffline';
import { advanceRollouts, type RolloutsReport } from '../rollout/advanceRollouts';
import type { DeviceCountsSource } from './deviceCounts';
import { isPassStopped, type PassContext, passContext } from './passContext';
import type { PassLease } from './passLease';
import { type HubsPassReport, type ReconcileDeps, reconcileHubs } from './reconcileHubs';
import type { RolloutStatusStore } from './rolloutStatusStore';
import { type RowTtl, sweepExpiredRows, type TtlReport } from './rowTtl';
import type { StatusSummaryStore } from '../deployments/statusSummary';
import { summarizeStatus, type SummaryReport } from './summarizeStatus';
import { updateConditions } from './updateConditions';

export interface PassDeps extends ReconcileDeps {
  /** With both, the pass also updates each deployment's rollout conditions. */
  readonly deviceCounts?: DeviceCountsSource;
  readonly rolloutStatus?: RolloutStatusStore;
  /** Moves devices silent past the threshold to offline (before conditions, so they count as offline, not failed). Writes through `ctx.guard`. */
  readonly sweepSilentDevices?: (ctx: PassContext & { readonly deadline: number }) => Promise<SweepReport>;
  /** With deviceCounts, rolloutStatus, metrics and hubStatus, the pass writes each deployment's status summary (GET .../status reads it). */
  readonly statusSummaries?: StatusSummaryStore;
  /** Tables whose rows expire by age (idempotency records, dead letters). */
  readonly rowTtls?: readonly RowTtl[];
  /** How often the lease is renewed while the pass is not writing (it is also confirmed before every write). */
  readonly leaseRenewMs?: number;
}

export type PassReport =
  | { readonly ran: false; readonly reason: 'another pass holds the lease'; readonly at: string }
  | {
      readonly ran: true;
      readonly startedAt: string;
      readonly durationMs: number;
      readonly leaseLost: boolean;
      /** The step the pass stopped in (deadline or lost lease), if it stopped early. */
      readonly stoppedIn: string | null;
      readonly hubs: HubsPassReport;
      readonly sweep: SweepReport | null;
      readonly rollouts: RolloutsReport | null;
      readonly ttl: readonly TtlReport[];
      readonly summary: {
        readonly creates: number;
        readonly updates: number;
        readonly deletes: number;
        readonly failures: number;
        readonly unreachableHubs: readonly string[];
        readonly purged: number;
        readonly conditionsChanged: number;
        readonly devicesMarkedOffline: number;
        /** Health counter rows whose silence watermark moved: what marking them cost (see markSilentOffline). */
        readonly silenceCountersMoved: number;
        /** Health counter rows deleted because they counted no device (see markSilentOffline). */
        readonly emptyCountersDropped: number;
        readonly rolloutTransitions: number;
        /** Hubs whose garbage collection was fenced this pass (see gcFence.ts). */
        readonly gcFencedHubs: readonly string[];
        readonly expiredRowsDeleted: number;
        readonly statusSummariesWritten: number;
        readonly budgetExceeded: boolean;
      };
    };

interface Results {
  hubs: HubsPassReport;
  sweep: SweepReport | null;
  rollouts: RolloutsReport | null;
  conditionsChanged: number;
  ttl: TtlReport[];
  summaries: SummaryReport | null;
}

/** A step of the pass; it reads the world again through `ctx` and writes only through it. */
interface Step {
  readonly name: string;
  run(ctx: PassContext & { readonly deadline: number }, results: Results): Promise<void>;
}

function steps(deps: PassDeps): Step[] {
  return [
    {
      name: 'hubs',
      run: async (ctx, r) => {
        r.hubs = await reconcileHubs(deps, ctx);
      },
    },
    {
      name: 'silentDevices',
      run: async (ctx, r) => {
        if (deps.sweepSilentDevices) r.sweep = await deps.sweepSilentDevices(ctx);
      },
    },
    // After the sweep, so silent devices count as offline (never as failed) when a gate is judged.
    {
      name: 'rollouts',
      run: async (ctx, r) => {
        if (!deps.deviceCounts || !deps.rollouts) return;
        const { heads, targets } = await ctx.desiredState();
        const rollouts = ctx.guard(deps.rollouts, ['put', 'remove']);
        r.rollouts = await advanceRollouts({ store: ctx.store, rollouts, counts: deps.deviceCounts, fleet: ctx.fleet, configurationFor: deps.configurationFor, now: ctx.now }, heads, targets);
      },
    },
    {
      name: 'conditions',
      run: async (ctx, r) => {
        if (!deps.deviceCounts || !deps.rolloutStatus) return;
        const { heads, targets } = await ctx.desiredState();
        const statuses = ctx.guard(deps.rolloutStatus, ['put', 'remove']);
        r.conditionsChanged = await updateConditions({ store: ctx.store, counts: deps.deviceCounts, statuses, now: ctx.now }, heads, targets);
      },
    },
    // After the conditions, so the summary carries this pass's conditions.
    {
      name: 'statusSummaries',
      run: async (ctx, r) => {
        const { deviceCounts, rolloutStatus, metrics, hubStatus, statusSummaries } = deps;
        if (!deviceCounts || !rolloutStatus || !metrics || !hubStatus || !statusSummaries) return;
        const { heads, targets } = await ctx.desiredState();
        const summaries = ctx.guard(statusSummaries, ['put', 'remove']);
        r.summaries = await summarizeStatus({ store: ctx.store, metrics, hubStatus, counts: deviceCounts, rolloutStatus, summaries, now: ctx.now, outOfTime: () => ctx.outOfTime() }, heads, targets);
      },
    },
    {
      name: 'rowTtl',
      run: async (ctx, r) => {
        r.ttl = await sweepExpiredRows(deps.rowTtls ?? [], ctx);
      },
    },
  ];
}

export async function reconcilePass(lease: PassLease, deps: PassDeps): Promise<PassReport> {
  const now = deps.now ?? (() => new Date());
  const held = await lease.tryAcquire();
  if (!held) return { ran: false, reason: 'another pass holds the lease', at: now().toISOString() };
  const started = now();
  // The budget is wall-clock time whatever clock the pass reasons with (tests move `now`).
  const deadline = Date.now() + deps.budgetMs;
  const ctx = passContext({ budgetMs: deps.budgetMs, now, lease: held, store: deps.store, fleet: deps.fleet });
  const renewal = setInterval(() => {
    void held.renew().then((ok) => ok || ctx.leaseLost());
  }, deps.leaseRenewMs ?? 20_000);
  const results: Results = { hubs: { hubs: [], purged: [], budgetExceeded: false }, sweep: null, rollouts: null, conditionsChanged: 0, ttl: [], summaries: null };
  let stoppedIn: string | null = null;
  try {
    for (const step of steps(deps)) {
      // Flux-like: the steps run in order and the pass ends at the first that cannot finish.
      if (ctx.outOfTime()) {
        stoppedIn = step.name;
        break;
      }
      try {
        await step.run({ ...ctx, deadline }, results);
      } catch (error) {
        if (!isPassStopped(error)) throw error;
      }
      const stopped = ctx.stopped() ?? (results.hubs.budgetExceeded || results.sweep?.stoppedEarly ? 'unfinished' : undefined);
      if (stopped) {
        stoppedIn = step.name;
        break;
      }
    }
    const actions = results.hubs.hubs.flatMap((h) => h.actions);
    const { hubs, sweep, rollouts, conditionsChanged, ttl } = results;
    return {
      ran: true,
      startedAt: started.toISOString(),
      durationMs: now().getTime() - started.getTime(),
      leaseLost: ctx.stopped()?.why === 'leaseLost',
      stoppedIn,
      hubs,
      sweep,
      rollouts,
      ttl,
      summary: {
        creates: actions.filter((a) => a.op === 'create').length,
        updates: actions.filter((a) => a.op === 'update').length,
        deletes: actions.filter((a) => a.op === 'delete').length,
        failures: hubs.hubs.reduce((n, h) => n + h.failures.length, 0),
        unreachableHubs: hubs.hubs.filter((h) => !h.reachable).map((h) => h.hub),
        purged: hubs.purged.length,
        conditionsChanged,
        devicesMarkedOffline: sweep?.markedOffline ?? 0,
        silenceCountersMoved: sweep?.countersMoved ?? 0,
        emptyCountersDropped: sweep?.emptyCountersDropped ?? 0,
        rolloutTransitions: rollouts?.transitions.length ?? 0,
        gcFencedHubs: hubs.hubs.filter((h) => h.fence).map((h) => h.hub),
        expiredRowsDeleted: ttl.reduce((n, t) => n + t.deleted, 0),
        statusSummariesWritten: results.summaries?.written ?? 0,
        budgetExceeded: stoppedIn !== null,
      },
    };
  } finally {
    clearInterval(renewal);
    ctx.dispose();
    await held.release();
  }
}
