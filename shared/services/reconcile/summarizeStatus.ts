// The pass's status-summary step: after the conditions, write one summary row
// per deployment (StatusFacts, see deployments/statusSummary.ts) from reads
// made once for the whole pass, so GET .../status need not read every hub's
// rows. Every deployment's summary is rewritten each pass (builtAt is its age);
// a pass that stops early leaves the older ones, which the read then shows as older.
import type { DeploymentHead, DeploymentStore, HubTarget } from '../deployments/deploymentStore';
import type { MetricsStore } from '../deployments/metricsStore';
import type { StatusSummaryStore } from '../deployments/statusSummary';
import type { HubStatusStore } from '../hubs/hubStatusStore';
import type { DeviceCountsSource } from './deviceCounts';
import type { RolloutStatusStore } from './rolloutStatusStore';

export interface SummaryDeps {
  readonly store: DeploymentStore;
  readonly metrics: MetricsStore;
  readonly hubStatus: HubStatusStore;
  readonly counts: DeviceCountsSource;
  readonly rolloutStatus: RolloutStatusStore;
  /** Writes guarded by the pass (ctx.guard). */
  readonly summaries: StatusSummaryStore;
  readonly now: () => Date;
  readonly outOfTime: () => boolean;
}

export interface SummaryReport {
  readonly written: number;
  readonly removed: number;
}

export async function summarizeStatus(deps: SummaryDeps, heads: readonly DeploymentHead[], targets: readonly HubTarget[]): Promise<SummaryReport> {
  // One read of each source for every deployment: the pass's cost grows with deployments, not with reads per hub.
  const [metrics, hubs, conditions, source, existing] = await Promise.all([
    deps.metrics.all(),
    deps.hubStatus.all(),
    deps.rolloutStatus.all(),
    deps.counts.prefetch ? deps.counts.prefetch() : Promise.resolve(deps.counts),
    deps.summaries.ids(),
  ]);
  const conditionsOf = new Map(conditions.map((c) => [c.deploymentId, c]));
  const builtAt = deps.now().toISOString();
  let written = 0;
  for (const head of heads) {
    if (deps.outOfTime()) break;
    const mine = targets.filter((t) => t.deploymentId === head.id);
    const names = new Set(mine.map((t) => t.hub));
    const [devices, revision] = await Promise.all([source.count(head.id, head.currentRevision, [...names]), deps.store.getRevision(head.id, head.currentRevision)]);
    const status = conditionsOf.get(head.id);
    await deps.summaries.put({
      deploymentId: head.id,
      builtAt,
      revision: head.currentRevision,
      metrics: metrics.filter((m) => m.deploymentId === head.id),
      hubs: hubs.filter((h) => names.has(h.hub)),
      devices: { byHub: Object.fromEntries([...devices.byHub].filter(([hub]) => names.has(hub))), source: devices.source, asOf: devices.asOf },
      conditions: status?.revision === head.currentRevision ? status.conditions : [],
      kind: revision?.kind ?? 'base',
      warnings: revision?.warnings ?? [],
    });
    written++;
  }
  // Purged deployments' summaries go too (a deployment not in desired state any more).
  const live = new Set(heads.map((h) => h.id));
  let removed = 0;
  for (const id of existing.filter((i) => !live.has(i))) {
    if (deps.outOfTime()) break;
    await deps.summaries.remove(id);
    removed++;
  }
  return { written, removed };
}
