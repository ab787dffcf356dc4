// GET /api/deployments/{id}/status: per hub, where the deployment is (sync
// state, the hub's own counts) and how fresh each figure is. Nothing here
// calls a hub: counts come from the reconciler's latest list of each hub.
import type { HubStatusStore } from '../hubs/hubStatusStore';
import type { DeploymentStore } from './deploymentStore';
import { type HubTargetView, hubTargetView } from './deploymentViews';
import type { MetricsStore } from './metricsStore';
import { notFound } from '../../errors';

export interface HubCounts {
  readonly targetedCount: number;
  readonly appliedCount: number;
  readonly reportedSuccessfulCount: number;
  readonly reportedFailedCount: number;
}

export interface HubStatusView extends HubTargetView {
  /** The hub's systemMetrics for the desired configuration; null until a reconcile pass has seen it. */
  readonly metrics: (HubCounts & { readonly asOf: string }) | null;
  readonly hubReachable: boolean | null;
}

export interface DeploymentStatus {
  readonly id: string;
  readonly revision: number;
  readonly etag: string;
  readonly deletedAt: string | null;
  readonly hubs: readonly HubStatusView[];
  readonly totals: HubCounts;
  /** The oldest figure behind the totals: how stale the status may be. */
  readonly dataAsOf: string | null;
}

export interface StatusDeps {
  readonly store: DeploymentStore;
  readonly metrics: MetricsStore;
  readonly hubStatus: HubStatusStore;
}

const count = (counts: Readonly<Record<string, number>>, key: keyof HubCounts) => (Number.isFinite(counts[key]) ? counts[key]! : 0);

export async function deploymentStatus(deps: StatusDeps, id: string): Promise<DeploymentStatus> {
  const head = await deps.store.get(id);
  if (!head) throw notFound(`deployment '${id}'`, 'DeploymentNotFound');
  const [targets, metrics, hubs] = await Promise.all([deps.store.hubTargets(id), deps.metrics.forDeployment(id), deps.hubStatus.all()]);
  const metricsByHub = new Map(metrics.map((m) => [m.hub, m]));
  const hubByName = new Map(hubs.map((h) => [h.hub, h]));

  const views = targets
    .map((target): HubStatusView => {
      const view = hubTargetView(target);
      const m = metricsByHub.get(target.hub);
      const hub = hubByName.get(target.hub);
      const current = m && m.configurationId === view.configurationId ? m : undefined;
      // Unchanged counts are not rewritten, so they are as fresh as the hub's last successful check.
      const asOf = current ? (hub?.lastContactAt && hub.lastContactAt > current.observedAt ? hub.lastContactAt : current.observedAt) : undefined;
      return {
        ...view,
        hubReachable: hub?.reachable ?? null,
        metrics:
          current && asOf
            ? {
                targetedCount: count(current.counts, 'targetedCount'),
                appliedCount: count(current.counts, 'appliedCount'),
                reportedSuccessfulCount: count(current.counts, 'reportedSuccessfulCount'),
                reportedFailedCount: count(current.counts, 'reportedFailedCount'),
                asOf,
              }
            : null,
      };
    })
    .sort((a, b) => a.hub.localeCompare(b.hub));

  const withMetrics = views.filter((v) => v.metrics);
  const sum = (key: keyof HubCounts) => withMetrics.reduce((n, v) => n + (v.metrics?.[key] ?? 0), 0);
  const asOfs = withMetrics.map((v) => v.metrics!.asOf).sort();
  return {
    id,
    revision: head.currentRevision,
    etag: `"r${head.currentRevision}"`,
    deletedAt: head.deletedAt ?? null,
    hubs: views,
    totals: { targetedCount: sum('targetedCount'), appliedCount: sum('appliedCount'), reportedSuccessfulCount: sum('reportedSuccessfulCount'), reportedFailedCount: sum('reportedFailedCount') },
    dataAsOf: asOfs[0] ?? null,
  };
}
