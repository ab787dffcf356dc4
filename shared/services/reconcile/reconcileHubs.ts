// The reconciler's hub pass (level-triggered, like a Kubernetes controller):
// 1. list every hub once (configuration reads are throttled like writes);
// 2. read the desired state *after* listing: the fan-out stores desired state
//    before creating a configuration, so whatever a hub holds is known by then
//    and garbage collection cannot race a deployment being created;
// 3. per hub, sync every due target from the snapshot, delete this
//    installation's configurations of deployments that no longer exist (unless
//    the garbage-collection fence holds: see gcFence.ts), end the rollouts of
//    deleted deployments, and purge deleted deployments (and their rollouts)
//    whose configurations are gone everywhere.
// The pass context's deadline and lease check bound it; what is left continues in the next pass.
import { configurationId } from '../../domain/deployments/configurationId';
import { configurationOwner, deploymentOf } from '../../domain/deployments/configurationOwner';
import type { ConfigurationFor } from '../deployments/configurationFor';
import { selectHubs } from '../../domain/deployments/hubSelector';
import type { DeploymentStore, HubTarget, RevisionRecord } from '../deployments/deploymentStore';
import type { HubFleet, HubRuntime } from '../deployments/hubRuntime';
import type { ConfigurationMetrics, MetricsStore } from '../deployments/metricsStore';
import type { BackoffOptions } from '../deployments/nextAttempt';
import { revisionMemo, syncOutcome } from '../deployments/syncOutcome';
import type { HubConfiguration } from '../hubs/hubConfigurations';
import type { HubStatusStore } from '../hubs/hubStatusStore';
import { hubCall } from '../hubs/hubCall';
import { type HubSyncDeps, type SyncAction, syncHub } from '../hubs/syncHub';
import { targetConfigurations } from '../deployments/targetConfigurations';
import { isProgressive } from '../../domain/rollout/rolloutSpec';
import { endDeletedRollout } from '../rollout/endDeletedRollout';
import type { RolloutStore } from '../rollout/rolloutStore';
import { countEdgeDevices } from './countEdgeDevices';
import { type GcFence, gcFences } from './gcFence';
import { type DesiredState, isPassStopped, type PassContext, passContext } from './passContext';
import type { RolloutStatusStore } from './rolloutStatusStore';

export interface ReconcileDeps {
  readonly store: DeploymentStore;
  readonly configurationFor: ConfigurationFor;
  readonly fleet: HubFleet;
  readonly budgetMs: number;
  readonly now?: () => Date;
  readonly backoff?: BackoffOptions;
  readonly hubConcurrency?: number;
  /** Where the hubs' reachability from this pass is recorded (GET /api/hubs). */
  readonly hubStatus?: HubStatusStore;
  /** Where each deployment's configuration counts from the hubs' lists are kept (GET .../status). */
  readonly metrics?: MetricsStore;
  /** Progressive rollouts: their hubs are the rollout's to choose until it completes. */
  readonly rollouts?: RolloutStore;
  /** Each deployment's conditions: a purged deployment's row goes with it. */
  readonly rolloutStatus?: Pick<RolloutStatusStore, 'remove'>;
  /** GC_MAX_DELETE_PERCENT: garbage collection on a hub is fenced when it would delete more than this share of the hub's configurations of this installation. */
  readonly gcMaxDeletePercent?: number;
}

export interface HubPassReport {
  readonly hub: string;
  readonly reachable: boolean;
  readonly error?: string;
  readonly actions: readonly (SyncAction & { deploymentId: string })[];
  readonly failures: readonly { deploymentId: string; state: string; code: string; message: string }[];
  readonly skippedUntilLater: number;
  readonly unfinished: boolean;
  /** Set when garbage collection was stopped on this hub: nothing was deleted as an orphan. */
  readonly fence?: GcFence;
  /** Managed configurations without an installation label whose deployment this installation does not know: left alone (see docs). */
  readonly legacyOrphans: number;
}

export interface HubsPassReport {
  readonly hubs: readonly HubPassReport[];
  readonly purged: readonly string[];
  readonly budgetExceeded: boolean;
}

type Snapshot = { ok: true; configs: HubConfiguration[] } | { ok: false; error: string };

const due = (t: HubTarget, now: Date) => (t.state === 'applied' || t.state === 'removed' ? true : !t.nextAttemptAt || Date.parse(t.nextAttemptAt) <= now.getTime());

async function listHub(hub: HubRuntime, signal: AbortSignal): Promise<Snapshot> {
  try {
    const configs = await hubCall(hub.limiter, () => hub.configurations.list(), { signal });
    return { ok: true, configs };
  } catch (error) {
    if (isPassStopped(error)) throw error;
    return { ok: false, error: error instanceof Error ? error.message.split('\n')[0]! : String(error) };
  }
}

/** `ctx`: the pass's context; without one (a benchmark), a context with only the deadline. */
export async function reconcileHubs(deps: ReconcileDeps, given?: PassContext): Promise<HubsPassReport> {
  const owned = given ? undefined : passContext({ budgetMs: deps.budgetMs, store: deps.store, fleet: deps.fleet, ...(deps.now ? { now: deps.now } : {}) });
  const ctx = given ?? owned!;
  try {
    return await hubsStep(deps, ctx);
  } finally {
    owned?.dispose();
  }
}

async function hubsStep(deps: ReconcileDeps, ctx: PassContext): Promise<HubsPassReport> {
  const { now, store } = ctx;
  const installationId = deps.fleet.installationId;
  const hubs = [...ctx.fleet.hubs.values()];

  const snapshots = new Map<string, Snapshot>();
  await Promise.all(hubs.map(async (hub) => snapshots.set(hub.name, await listHub(hub, ctx.signal))));
  const revision = revisionMemo(store);
  const { heads, targets } = await retargetChangedSelections(deps, ctx, await ctx.desiredState(), revision);
  const known = new Set(heads.map((h) => h.id));
  const fences = gcFences({ snapshots, known, installationId, headCount: heads.length, maxDeletePercent: deps.gcMaxDeletePercent ?? 50 });

  const checkedAt = now().toISOString();
  if (deps.hubStatus) {
    const previous = new Map((await deps.hubStatus.all()).map((s) => [s.hub, s]));
    const counted = await countEdgeDevices(hubs.filter((h) => snapshots.get(h.name)?.ok), previous, now(), ctx.signal);
    await ctx.guard(deps.hubStatus, ['record']).record(
      [...snapshots].map(([hub, s]) => {
        const fence = fences.get(hub);
        const edgeDevices = counted.get(hub);
        return s.ok
          ? { hub, reachable: true, checkedAt, lastContactAt: checkedAt, configurationCount: s.configs.length, ...(edgeDevices ? { edgeDevices } : {}), ...(fence ? { gcFence: { reason: fence.reason, message: fence.message } } : {}) }
          : { hub, reachable: false, checkedAt, lastError: s.error };
      }),
    );
  }
  if (deps.metrics) await recordMetrics(ctx.guard(deps.metrics, ['record', 'remove']), targets, snapshots, checkedAt, known);

  const reports: HubPassReport[] = [];
  const queue = [...hubs];
  await Promise.all(
    Array.from({ length: Math.min(deps.hubConcurrency ?? 8, queue.length) }, async () => {
      for (let hub = queue.shift(); hub; hub = queue.shift()) reports.push(await reconcileHub(hub, snapshots.get(hub.name)!));
    }),
  );
  const budgetExceeded = reports.some((r) => r.unfinished);

  async function reconcileHub(hub: HubRuntime, snapshot: Snapshot): Promise<HubPassReport> {
    const actions: (SyncAction & { deploymentId: string })[] = [];
    const failures: HubPassReport['failures'][number][] = [];
    const fence = fences.get(hub.name);
    let skippedUntilLater = 0;
    let legacyOrphans = 0;
    const report = (unfinished: boolean): HubPassReport => ({ hub: hub.name, reachable: true, actions, failures, skippedUntilLater, unfinished, legacyOrphans, ...(fence ? { fence } : {}) });
    if (!snapshot.ok) return { hub: hub.name, reachable: false, error: snapshot.error, actions, failures, skippedUntilLater: 0, unfinished: false, legacyOrphans };
    let configs = snapshot.configs;
    const mine = targets.filter((t) => t.hub === hub.name).sort((a, b) => a.deploymentId.localeCompare(b.deploymentId));
    const syncDeps: HubSyncDeps = { configurations: hub.configurations, limiter: hub.limiter, maxConfigurations: deps.fleet.maxConfigurations, installationId, signal: ctx.signal };

    try {
      for (const target of mine) {
        if (ctx.outOfTime()) return report(true);
        if (!due(target, now())) {
          skippedUntilLater++;
          continue;
        }
        const wanted = await targetConfigurations(target, revision, deps.configurationFor);
        if (!wanted.ok) {
          if (!wanted.missing) failures.push({ deploymentId: target.deploymentId, state: 'failed', ...wanted.error });
          continue;
        }
        const { desired, keep } = wanted;
        const result = await syncHub(target.deploymentId, desired, syncDeps, { snapshot: configs, keep });
        // Keep the snapshot true for the next deployment (the hub limit counts every configuration).
        const deleted = new Set(result.actions.filter((a) => a.op === 'delete').map((a) => a.configurationId));
        const made = new Set(result.actions.filter((a) => a.op === 'create').map((a) => a.configurationId));
        configs = configs.filter((c) => !deleted.has(c.id) && !made.has(c.id));
        for (const c of [...keep, ...(desired ? [desired] : [])]) if (made.has(c.id)) configs.push({ ...c, etag: '' });
        actions.push(...result.actions.map((a) => ({ ...a, deploymentId: target.deploymentId })));

        const changed = result.state !== target.state || result.actions.length > 0 || target.lastError !== undefined;
        if (changed) await store.recordSync(target.deploymentId, hub.name, target.desiredRevision, syncOutcome(result, target, now(), deps.backoff));
        if (result.state === 'pending' || result.state === 'failed') {
          failures.push({ deploymentId: target.deploymentId, state: result.state, ...result.error });
        }
      }

      // This installation's configurations of deployments that no longer exist at all (none while the fence holds).
      for (const orphan of configs.filter((c) => configurationOwner(c.labels, installationId) !== 'foreign' && !known.has(deploymentOf(c.labels)))) {
        if (configurationOwner(orphan.labels, installationId) === 'legacy') {
          legacyOrphans++;
          continue;
        }
        if (fence) continue;
        if (ctx.outOfTime()) return report(true);
        const result = await syncHub(deploymentOf(orphan.labels), undefined, syncDeps, { snapshot: [orphan] });
        actions.push(...result.actions.map((a) => ({ ...a, reason: 'belongs to no known deployment', deploymentId: deploymentOf(orphan.labels) })));
      }
    } catch (error) {
      if (isPassStopped(error)) return report(true);
      throw error;
    }
    return report(false);
  }

  // Deleted deployments whose configurations are gone from every hub: drop their rows.
  const purged: string[] = [];
  const fresh = budgetExceeded || ctx.outOfTime() ? undefined : await ctx.desiredState();
  for (const head of fresh?.heads.filter((h) => h.deletedAt) ?? []) {
    // A rollout the delete request could not end (a crash, a lost race) ends now.
    if (deps.rollouts) await endDeletedRollout(ctx.guard(deps.rollouts, ['put', 'remove']), head.id, now());
    const rest = fresh!.targets.filter((t) => t.deploymentId === head.id);
    if (rest.every((t) => t.state === 'removed' || !deps.fleet.hubs.has(t.hub))) {
      // Its rollout, conditions and metrics first: a crash in between leaves the deployment to purge again, never a row nobody owns.
      if (deps.rollouts) await ctx.guard(deps.rollouts, ['remove']).remove(head.id);
      if (deps.rolloutStatus) await ctx.guard(deps.rolloutStatus, ['remove']).remove(head.id);
      if (deps.metrics) await ctx.guard(deps.metrics, ['remove']).remove(head.id);
      await store.purge(head.id);
      purged.push(head.id);
    }
  }
  return { hubs: reports.sort((a, b) => a.hub.localeCompare(b.hub)), purged, budgetExceeded };
}

/**
 * "Every hub its selector chooses now": when HUBS changed (a hub added, its
 * labels or region changed), point each live deployment's current revision at
 * the hubs its selector picks today. Returns the desired state to work from.
 */
async function retargetChangedSelections(
  deps: ReconcileDeps,
  ctx: PassContext,
  state: DesiredState,
  revision: (id: string, n: number) => Promise<RevisionRecord | undefined>,
): Promise<DesiredState> {
  const hubs = [...deps.fleet.hubs.values()];
  let changed = false;
  for (const head of state.heads.filter((h) => !h.deletedAt)) {
    const targeted = new Set(state.targets.filter((t) => t.deploymentId === head.id && t.desiredRevision === head.currentRevision).map((t) => t.hub));
    const current = await revision(head.id, head.currentRevision);
    if (!current) continue;
    if (isProgressive(current)) {
      // A rollout still under way holds hubs back on purpose; only a completed one takes new hubs.
      const rollout = (await deps.rollouts?.get(head.id))?.state;
      if (rollout?.revision !== current.number || rollout.phase !== 'completed') continue;
    }
    const chosen = selectHubs(current.spec.hubSelector, hubs).map((h) => h.name);
    const same = chosen.length === targeted.size && chosen.every((h) => targeted.has(h));
    // An empty choice keeps the hubs it has: a selector must never silently undeploy everywhere.
    if (!same && chosen.length) changed = (await ctx.store.retarget(head.id, head.currentRevision, chosen)) || changed;
  }
  return changed ? ctx.desiredState() : state;
}

/**
 * Keeps the hubs' counts for each target's desired configuration, writing only
 * those that changed, and drops the rows of deployments that no longer exist
 * (found in the same one read).
 */
async function recordMetrics(
  store: MetricsStore,
  targets: readonly HubTarget[],
  snapshots: ReadonlyMap<string, Snapshot>,
  observedAt: string,
  known: ReadonlySet<string>,
): Promise<void> {
  const all = await store.all();
  const previous = new Map(all.map((m) => [`${m.deploymentId}|${m.hub}`, m]));
  const changed: ConfigurationMetrics[] = [];
  for (const target of targets) {
    const snapshot = snapshots.get(target.hub);
    if (target.desiredRevision === null || !snapshot?.ok) continue;
    const id = configurationId(target.deploymentId, target.desiredRevision);
    const found = snapshot.configs.find((c) => c.id === id);
    const counts = found?.systemMetrics?.results;
    if (!counts) continue;
    const custom = found.metricsResults;
    const before = previous.get(`${target.deploymentId}|${target.hub}`);
    if (before?.configurationId === id && JSON.stringify(before.counts) === JSON.stringify(counts) && JSON.stringify(before.custom) === JSON.stringify(custom)) continue;
    changed.push({ deploymentId: target.deploymentId, hub: target.hub, configurationId: id, counts, ...(custom ? { custom } : {}), observedAt });
  }
  await store.record(changed);
  for (const gone of new Set(all.map((m) => m.deploymentId).filter((id) => !known.has(id)))) await store.remove(gone);
}
