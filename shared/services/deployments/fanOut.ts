// Pushes a deployment's desired state to its hubs, all in parallel (bounded),
// each through syncHub, and records every hub's outcome. One hub failing never
// fails the others; what did not converge is left pending or failed for the
// reconciler, with the time it should try again.
import { type HubSyncResult, syncHub } from '../hubs/syncHub';
import type { ConfigurationFor } from './configurationFor';
import type { DeploymentStore, HubTarget } from './deploymentStore';
import type { HubFleet } from './hubRuntime';
import type { BackoffOptions } from './nextAttempt';
import { revisionMemo, syncOutcome } from './syncOutcome';
import { targetConfigurations } from './targetConfigurations';

export interface HubOutcome {
  readonly hub: string;
  readonly desiredRevision: number | null;
  readonly result: HubSyncResult;
  /** False when a newer desired state replaced this one meanwhile (the result was not recorded). */
  readonly recorded: boolean;
}

export interface FanOutDeps {
  readonly store: DeploymentStore;
  readonly configurationFor: ConfigurationFor;
  readonly fleet: HubFleet;
  readonly now?: () => Date;
  readonly concurrency?: number;
  readonly backoff?: BackoffOptions;
  readonly maxRateWaitMs?: number;
  /** The request's deadline: hubs still working when it aborts end pending, for the reconciler. */
  readonly signal?: AbortSignal;
}

async function mapBounded<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index]!);
    }
  });
  await Promise.all(workers);
  return results;
}

/** Syncs the given hub targets of one deployment. */
export async function fanOut(deploymentId: string, targets: readonly HubTarget[], deps: FanOutDeps): Promise<HubOutcome[]> {
  const now = deps.now ?? (() => new Date());
  const revision = revisionMemo(deps.store);

  return mapBounded(targets, deps.concurrency ?? 16, async (target): Promise<HubOutcome> => {
    const hub = deps.fleet.hubs.get(target.hub);
    let result: HubSyncResult;
    if (!hub) {
      result = { state: 'failed', error: { code: 'HubNotConfigured', message: `hub '${target.hub}' is not in the HUBS setting` }, actions: [] };
    } else {
      const wanted = await targetConfigurations(target, revision, deps.configurationFor);
      if (!wanted.ok) {
        result = { state: 'failed', error: wanted.error, actions: [] };
      } else {
        const syncDeps = {
          configurations: hub.configurations,
          limiter: hub.limiter,
          maxConfigurations: deps.fleet.maxConfigurations,
          installationId: deps.fleet.installationId,
          ...(deps.maxRateWaitMs !== undefined ? { maxRateWaitMs: deps.maxRateWaitMs } : {}),
          ...(deps.signal ? { signal: deps.signal } : {}),
        };
        result = await syncHub(deploymentId, wanted.desired, syncDeps, { keep: wanted.keep });
      }
    }
    const recorded = await deps.store.recordSync(deploymentId, target.hub, target.desiredRevision, syncOutcome(result, target, now(), deps.backoff));
    return { hub: target.hub, desiredRevision: target.desiredRevision, result, recorded };
  });
}
