// GET /api/deployments/{id}/status: per hub, where the deployment is (sync
// state, the hub's own counts) and how fresh each figure is. Nothing here
// calls a hub: counts come from the reconciler's latest list of each hub.
import { z } from 'zod';
import type { HubStatusStore } from '../hubs/hubStatusStore';
import type { DeploymentStore } from './deploymentStore';
import { hubTargetView, hubTargetViewSchema } from './deploymentViews';
import type { MetricsStore } from './metricsStore';
import { notFound } from '../../errors';

const hubCountsShape = {
  targetedCount: z.int().meta({ description: 'Devices whose twin matches the target condition' }),
  appliedCount: z.int().meta({ description: 'Devices the hub applied this configuration to' }),
  reportedSuccessfulCount: z.int().meta({ description: 'Devices whose edgeAgent reported this configuration running (code 200)' }),
  reportedFailedCount: z.int().meta({ description: 'Devices whose edgeAgent reported a failure' }),
};
export type HubCounts = z.infer<z.ZodObject<typeof hubCountsShape>>;

export const hubStatusViewSchema = hubTargetViewSchema
  .extend({
    metrics: z
      .object({ ...hubCountsShape, asOf: z.string().meta({ description: 'When the hub last confirmed these counts' }) })
      .nullable()
      .meta({ description: "The hub's own systemMetrics for the desired configuration; null until a reconcile pass has seen it" }),
    hubReachable: z.boolean().nullable(),
  })
  .meta({ id: 'HubStatus' });
export type HubStatusView = z.infer<typeof hubStatusViewSchema>;

export const deploymentStatusSchema = z
  .object({
    id: z.string(),
    revision: z.int(),
    etag: z.string(),
    deletedAt: z.string().nullable(),
    hubs: z.array(hubStatusViewSchema),
    totals: z.object(hubCountsShape),
    dataAsOf: z.string().nullable().meta({ description: 'The oldest figure behind the totals: how stale the status may be' }),
  })
  .meta({ id: 'DeploymentStatus' });
export type DeploymentStatus = z.infer<typeof deploymentStatusSchema>;

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
