// The reconciler's hub pass (level-triggered, like a Kubernetes controller):
// 1. list every hub once (configuration reads are throttled like writes);
// 2. read the desired state *after* listing: the fan-out stores desired state
//    before creating a configuration, so whatever a hub holds is known by then
//    and garbage collection cannot race a deployment being created;
// 3. per hub, sync every due target from the snapshot, delete managed
//    configurations of deployments that no longer exist, end the rollouts of
//    deleted deployments, and purge deleted deployments (and their rollouts)
//    whose configurations are gone everywhere.
// A time budget bounds the pass; what is left continues in the next one.
import { configurationId, DEPLOYMENT_LABEL, MANAGED_BY_LABEL, MANAGED_BY_VALUE } from '../../domain/deployments/configurationId';
import type { ConfigurationFor } from '../deployments/configurationFor';
import { selectHubs } from '../../domain/deployments/hubSelector';
import type { DeploymentHead, DeploymentStore, HubTarget, RevisionRecord } from '../deployments/deploymentStore';
import type { HubFleet, HubRuntime } from '../deployments/hubRuntime';
import type { ConfigurationMetrics, MetricsStore } from '../deployments/metricsStore';
import type { BackoffOptions } from '../deployments/nextAttempt';
import { revisionMemo, syncOutcome } from '../deployments/syncOutcome';
import type { HubConfiguration } from '../hubs/hubConfigurations';
import type { HubStatusStore } from '../hubs/hubStatusStore';
import { hubCall } from '../hubs/hubCall';
import { type SyncAction, syncHub } from '../hubs/syncHub';
import { targetConfigurations } from '../deployments/targetConfigurations';
import { isProgressive } from '../../domain/rollout/rolloutSpec';
import { endDeletedRollout } from '../rollout/endDeletedRollout';
import type { RolloutStore } from '../rollout/rolloutStore';
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
}

export interface HubPassReport {
  readonly hub: string;
  readonly reachable: boolean;
  readonly error?: string;
  readonly actions: readonly (SyncAction & { deploymentId: string })[];
  readonly failures: readonly { deploymentId: string; state: string; code: string; message: string }[];
  readonly skippedUntilLater: number;
  readonly unfinished: boolean;
}

export interface HubsPassReport {
  readonly hubs: readonly HubPassReport[];
  readonly purged: readonly string[];
  readonly budgetExceeded: boolean;
}

type Snapshot = { ok: true; configs: HubConfiguration[] } | { ok: false; error: string };

const due = (t: HubTarget, now: Date) => (t.state === 'applied' || t.state === 'removed' ? true : !t.nextAttemptAt || Date.parse(t.nextAttemptAt) <= now.getTime());

async function listHub(hub: HubRuntime): Promise<Snapshot> {
  try {
    const configs = await hubCall(hub.limiter, () => hub.configurations.list());
    return { ok: true, configs };
  } catch (error) {
    return { ok: false, error: error instanceof Error ? error.message.split('\n')[0]! : String(error) };
  }
}

export async function reconcileHubs(deps: ReconcileDeps): Promise<HubsPassReport> {
  const now = deps.now ?? (() => new Date());
  const deadline = now().getTime() + deps.budgetMs;
  const outOfTime = () => now().getTime() >= deadline;
  const hubs = [...deps.fleet.hubs.values()];

  const snapshots = new Map<string, Snapshot>();
  await Promise.all(hubs.map(async (hub) => snapshots.set(hub.name, await listHub(hub))));
  const checkedAt = now().toISOString();
  await deps.hubStatus?.record(
    [...snapshots].map(([hub, s]) =>
      s.ok ? { hub, reachable: true, checkedAt, lastContactAt: checkedAt, configurationCount: s.configs.length } : { hub, reachable: false, checkedAt, lastError: s.error },
    ),
  );
  const revision = revisionMemo(deps.store);
  const { heads, targets } = await retargetChangedSelections(deps, await deps.store.desiredState(), revision);
  const known = new Set(heads.map((h) => h.id));
  if (deps.metrics) await recordMetrics(deps.metrics, targets, snapshots, checkedAt);

  let budgetExceeded = false;
  const reports: HubPassReport[] = [];
  const queue = [...hubs];
  await Promise.all(
    Array.from({ length: Math.min(deps.hubConcurrency ?? 8, queue.length) }, async () => {
      for (let hub = queue.shift(); hub; hub = queue.shift()) {
        const report = await reconcileHub(hub, snapshots.get(hub.name)!);
        budgetExceeded ||= report.unfinished;
        reports.push(report);
      }
    }),
  );

  async function reconcileHub(hub: HubRuntime, snapshot: Snapshot): Promise<HubPassReport> {
    const actions: (SyncAction & { deploymentId: string })[] = [];
    const failures: HubPassReport['failures'][number][] = [];
    if (!snapshot.ok) return { hub: hub.name, reachable: false, error: snapshot.error, actions, failures, skippedUntilLater: 0, unfinished: false };
    let configs = snapshot.configs;
    let skippedUntilLater = 0;
    const mine = targets.filter((t) => t.hub === hub.name).sort((a, b) => a.deploymentId.localeCompare(b.deploymentId));

    for (const target of mine) {
      if (outOfTime()) return { hub: hub.name, reachable: true, actions, failures, skippedUntilLater, unfinished: true };
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
      const result = await syncHub(target.deploymentId, desired, { configurations: hub.configurations, limiter: hub.limiter, maxConfigurations: deps.fleet.maxConfigurations }, configs, keep);
      // Keep the snapshot true for the next deployment (the hub limit counts every configuration).
      const deleted = new Set(result.actions.filter((a) => a.op === 'delete').map((a) => a.configurationId));
      const made = new Set(result.actions.filter((a) => a.op === 'create').map((a) => a.configurationId));
      configs = configs.filter((c) => !deleted.has(c.id) && !made.has(c.id));
      for (const c of [...keep, ...(desired ? [desired] : [])]) if (made.has(c.id)) configs.push({ ...c, etag: '' });
      actions.push(...result.actions.map((a) => ({ ...a, deploymentId: target.deploymentId })));

      const changed = result.state !== target.state || result.actions.length > 0 || target.lastError !== undefined;
      if (changed) await deps.store.recordSync(target.deploymentId, hub.name, target.desiredRevision, syncOutcome(result, target, now(), deps.backoff));
      if (result.state === 'pending' || result.state === 'failed') {
        failures.push({ deploymentId: target.deploymentId, state: result.state, ...result.error });
      }
    }

    // Managed configurations of deployments that no longer exist at all.
    for (const orphan of configs.filter((c) => c.labels[MANAGED_BY_LABEL] === MANAGED_BY_VALUE && !known.has(c.labels[DEPLOYMENT_LABEL] ?? ''))) {
      if (outOfTime()) return { hub: hub.name, reachable: true, actions, failures, skippedUntilLater, unfinished: true };
      const result = await syncHub(orphan.labels[DEPLOYMENT_LABEL] ?? '', undefined, { configurations: hub.configurations, limiter: hub.limiter, maxConfigurations: deps.fleet.maxConfigurations }, [orphan]);
      actions.push(...result.actions.map((a) => ({ ...a, reason: 'belongs to no known deployment', deploymentId: orphan.labels[DEPLOYMENT_LABEL] ?? '' })));
    }
    return { hub: hub.name, reachable: true, actions, failures, skippedUntilLater, unfinished: false };
  }

  // Deleted deployments whose configurations are gone from every hub: drop their rows.
  const purged: string[] = [];
  const fresh = budgetExceeded ? undefined : await deps.store.desiredState();
  for (const head of fresh?.heads.filter((h) => h.deletedAt) ?? []) {
    // A rollout the delete request could not end (a crash, a lost race) ends now.
    if (deps.rollouts) await endDeletedRollout(deps.rollouts, head.id, now());
    const rest = fresh!.targets.filter((t) => t.deploymentId === head.id);
    if (rest.every((t) => t.state === 'removed' || !deps.fleet.hubs.has(t.hub))) {
      // Its rollout and conditions first: a crash in between leaves the deployment to purge again, never a row nobody owns.
      await deps.rollouts?.remove(head.id);
      await deps.rolloutStatus?.remove(head.id);
      await deps.store.purge(head.id);
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
  state: { heads: DeploymentHead[]; targets: HubTarget[] },
  revision: (id: string, n: number) => Promise<RevisionRecord | undefined>,
) {
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
    if (!same && chosen.length) changed = (await deps.store.retarget(head.id, head.currentRevision, chosen)) || changed;
  }
  return changed ? deps.store.desiredState() : state;
}

/** Keeps the hubs' counts for each target's desired configuration, writing only those that changed. */
async function recordMetrics(store: MetricsStore, targets: readonly HubTarget[], snapshots: ReadonlyMap<string, Snapshot>, observedAt: string): Promise<void> {
  const previous = new Map((await store.all()).map((m) => [`${m.deploymentId}|${m.hub}`, m]));
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
}
