// One pass, one context (Flux's reconcile loop): every step of a reconcile
// pass shares one deadline, one lease check and one read of desired state.
// Every write the pass makes (to a hub or a table) first checks that the pass
// still holds its lease and is within its deadline; a pass that lost either
// stops before its next write, and hub calls in flight stop being waited for.
import type { DeploymentHead, DeploymentStore, HubTarget } from '../deployments/deploymentStore';
import type { HubFleet, HubRuntime } from '../deployments/hubRuntime';
import type { HubConfigurations } from '../hubs/hubConfigurations';
import { untilAborted } from '../hubs/hubCall';
import type { HeldLease } from './passLease';

/** Thrown (and used as the abort reason) when a pass must stop: it is not a hub or storage failure, so nothing records or retries it. */
export class PassStopped extends Error {
  constructor(readonly why: 'leaseLost' | 'deadline') {
    super(why === 'leaseLost' ? 'the reconcile lease was lost: another pass may be running, so this one stops writing' : 'the reconcile pass reached its deadline');
    this.name = 'PassStopped';
  }
}

export const isPassStopped = (error: unknown): error is PassStopped => error instanceof PassStopped;

export type DesiredState = { heads: DeploymentHead[]; targets: HubTarget[] };

export interface PassContext {
  /** The clock the pass reasons with (tests move it); the deadline is wall-clock time whatever it says. */
  readonly now: () => Date;
  /** Aborts (with a PassStopped reason) at the deadline or when the lease is found lost. */
  readonly signal: AbortSignal;
  outOfTime(): boolean;
  /** Resolves when the pass may write now; throws PassStopped otherwise. */
  beforeWrite(): Promise<void>;
  /** Why the pass stopped early, if it did. */
  stopped(): PassStopped | undefined;
  /** Desired state, read once per pass and again only after the pass itself changed it. */
  desiredState(): Promise<DesiredState>;
  /** The deployment store as the pass uses it: writes are guarded and refresh desiredState(). */
  readonly store: DeploymentStore;
  /** The fleet as the pass uses it: hub writes are guarded, every hub call ends when the pass stops. */
  readonly fleet: HubFleet;
  /** Wraps a store so that the named methods are guarded writes. */
  guard<T extends object>(target: T, writes: readonly (keyof T)[]): T;
}

export interface PassContextOptions {
  readonly budgetMs: number;
  readonly now?: () => Date;
  /** Without a lease (a single caller, e.g. a benchmark) only the deadline is checked. */
  readonly lease?: HeldLease;
  readonly store: DeploymentStore;
  readonly fleet: HubFleet;
}

const STORE_WRITES = ['create', 'addRevision', 'retarget', 'assignHubs', 'markDeleted', 'recordSync', 'purge'] as const satisfies readonly (keyof DeploymentStore)[];

export interface OwnedPassContext extends PassContext {
  /** The lease's periodic renewal found it lost between writes. */
  leaseLost(): void;
  dispose(): void;
}

export function passContext(options: PassContextOptions): OwnedPassContext {
  const now = options.now ?? (() => new Date());
  const deadline = Date.now() + options.budgetMs;
  const controller = new AbortController();
  const stop = (why: PassStopped['why']) => {
    if (!controller.signal.aborted) controller.abort(new PassStopped(why));
    return controller.signal.reason as PassStopped;
  };
  const timer = setTimeout(() => stop('deadline'), Math.max(0, options.budgetMs));
  timer.unref();

  // A renew that started after a write asked for it proves the lease for that write; concurrent writers share it.
  let renewal: { startedAt: number; done: Promise<boolean> } | undefined;
  const confirmLease = async (): Promise<boolean> => {
    const lease = options.lease;
    if (!lease) return true;
    const askedAt = performance.now();
    for (;;) {
      const current = renewal;
      if (current && current.startedAt >= askedAt) return current.done;
      if (current) {
        await current.done;
        continue;
      }
      const done = lease.renew().catch(() => false);
      const mine = { startedAt: performance.now(), done };
      renewal = mine;
      void done.finally(() => {
        if (renewal === mine) renewal = undefined;
      });
      return done;
    }
  };

  const beforeWrite = async () => {
    if (controller.signal.aborted) throw controller.signal.reason as PassStopped;
    if (Date.now() >= deadline) throw stop('deadline');
    if (!(await confirmLease())) throw stop('leaseLost');
    if (controller.signal.aborted) throw controller.signal.reason as PassStopped;
  };

  const guard = <T extends object>(target: T, writes: readonly (keyof T)[], after?: () => void): T => {
    const wrapped = Object.create(target) as T;
    for (const name of writes) {
      const method = target[name];
      if (typeof method !== 'function') continue;
      (wrapped as Record<keyof T, unknown>)[name] = async (...args: unknown[]) => {
        await beforeWrite();
        try {
          return await untilAborted(Promise.resolve((method as (...a: unknown[]) => unknown).apply(target, args)), controller.signal);
        } finally {
          after?.();
        }
      };
    }
    return wrapped;
  };

  let desired: Promise<DesiredState> | undefined;
  const store = guard(options.store, STORE_WRITES, () => (desired = undefined));

  const guardHub = (configurations: HubConfigurations): HubConfigurations => {
    const reads = {
      get: (id: string) => untilAborted(configurations.get(id), controller.signal),
      list: () => untilAborted(configurations.list(), controller.signal),
    };
    return Object.assign(guard(configurations, ['create', 'update', 'delete']), reads);
  };
  const fleet: HubFleet = {
    ...options.fleet,
    hubs: new Map([...options.fleet.hubs].map(([name, hub]): [string, HubRuntime] => [name, { ...hub, configurations: guardHub(hub.configurations) }])),
  };

  return {
    now,
    signal: controller.signal,
    outOfTime: () => controller.signal.aborted || Date.now() >= deadline,
    beforeWrite,
    stopped: () => (controller.signal.aborted ? (controller.signal.reason as PassStopped) : undefined),
    desiredState: () => (desired ??= options.store.desiredState().catch((error: unknown) => {
      desired = undefined;
      throw error;
    })),
    store,
    fleet,
    guard: (target, writes) => guard(target, writes),
    leaseLost: () => void stop('leaseLost'),
    dispose: () => clearTimeout(timer),
  };
}
