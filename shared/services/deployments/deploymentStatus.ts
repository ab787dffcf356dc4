// GET /api/deployments/{id}/status: per hub, where the deployment is (sync
// state, the hub's own counts) and how fresh each figure is. Nothing here
// calls a hub: counts come from the reconciler's latest list of each hub.
import { z } from 'zod';
import type { HubStatusStore } from '../hubs/hubStatusStore';
import type { DeploymentStore } from './deploymentStore';
import { deploymentWarningSchema, hubTargetView, hubTargetViewSchema, revisionETag } from './deploymentViews';
import type { MetricsStore } from './metricsStore';
import { type DeviceCountsSource, sumCounts } from '../reconcile/deviceCounts';
import type { RolloutStatusStore } from '../reconcile/rolloutStatusStore';
import { notFound } from '../../errors';
import type { RolloutStore } from '../rollout/rolloutStore';
import { rolloutView, rolloutViewSchema } from '../rollout/rolloutView';

const hubCountsShape = {
  targetedCount: z.int().meta({ description: 'Devices whose twin matches the target condition' }),
  appliedCount: z.int().meta({ description: 'Devices the hub applied this configuration to' }),
  reportedSuccessfulCount: z.int().meta({ description: 'Devices whose edgeAgent reported this configuration running (code 200)' }),
  reportedFailedCount: z.int().meta({ description: 'Devices whose edgeAgent reported a failure' }),
};
export type HubCounts = z.infer<z.ZodObject<typeof hubCountsShape>>;

const deviceCountsSchema = z
  .object({ succeeded: z.int(), progressing: z.int(), failed: z.int(), offline: z.int().meta({ description: 'Disconnected or silent past DEVICE_OFFLINE_AFTER_SECONDS; never counted as failed' }), unknown: z.int() })
  .meta({ id: 'DeviceCounts' });

const conditionSchema = z
  .object({
    type: z.enum(['Progressing', 'Complete', 'Degraded', 'ProgressDeadlineExceeded']),
    status: z.enum(['True', 'False', 'Unknown']),
    reason: z.string(),
    message: z.string(),
    lastTransitionTime: z.string(),
    observedRevision: z.int(),
  })
  .meta({ id: 'Condition' });

export const hubStatusViewSchema = hubTargetViewSchema
  .extend({
    metrics: z
      .object({ ...hubCountsShape, asOf: z.string().meta({ description: 'When the hub last confirmed these counts' }) })
      .nullable()
      .meta({ description: "The hub's own systemMetrics for the desired configuration; null until a reconcile pass has seen it" }),
    customMetrics: z.record(z.string(), z.int()).nullable().meta({ description: "Results of the deployment's metrics queries on this hub (IoT Hub metrics.results); null when it has none or no pass saw them" }),
    hubReachable: z.boolean().nullable(),
    devices: deviceCountsSchema.nullable().meta({ description: "This revision's devices on the hub by health state; null when nothing is known yet" }),
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
    devices: deviceCountsSchema.meta({ description: "This revision's devices by health state over all its hubs" }),
    devicesSource: z.enum(['health', 'hubMetrics']).meta({ description: "health: ingested device health; hubMetrics: the hubs' own counts (cannot tell offline devices apart)" }),
    devicesAsOf: z.string().nullable(),
    conditions: z.array(conditionSchema).meta({ description: 'Kubernetes-style rollout conditions from the latest reconcile pass' }),
    dataAsOf: z.string().nullable().meta({ description: 'The oldest hub count behind the totals: how stale the status may be' }),
    rollout: rolloutViewSchema.nullable().meta({ description: 'The latest progressive rollout (null when the deployment never had one)' }),
    kind: z.enum(['base', 'layered']).meta({ description: "layered: IoT Hub's appliedCount reads 0 for layered deployments, so judge them by devices (ingested health)" }),
    warnings: z.array(deploymentWarningSchema).meta({ description: 'What the current revision was accepted with: skipped documents, dropped fields, policies that cannot fire' }),
  })
  .meta({ id: 'DeploymentStatus' });
export type DeploymentStatus = z.infer<typeof deploymentStatusSchema>;

export interface StatusDeps {
  readonly store: DeploymentStore;
  readonly metrics: MetricsStore;
  readonly hubStatus: HubStatusStore;
  readonly deviceCounts: DeviceCountsSource;
  readonly rolloutStatus: RolloutStatusStore;
  readonly rollouts?: RolloutStore;
}

const count = (counts: Readonly<Record<string, number>>, key: keyof HubCounts) => (Number.isFinite(counts[key]) ? counts[key]! : 0);

export async function deploymentStatus(deps: StatusDeps, id: string): Promise<DeploymentStatus> {
  const head = await deps.store.get(id);
  if (!head) throw notFound(`deployment '${id}'`, 'DeploymentNotFound');
  const targets = await deps.store.hubTargets(id);
  const [metrics, hubs, devices, rollout, progressive, revision] = await Promise.all([
    deps.metrics.forDeployment(id),
    deps.hubStatus.all(),
    deps.deviceCounts.count(id, head.currentRevision, targets.map((t) => t.hub)),
    deps.rolloutStatus.get(id),
    deps.rollouts?.get(id),
    deps.store.getRevision(id, head.currentRevision),
  ]);
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
        customMetrics: current?.custom ?? null,
        hubReachable: hub?.reachable ?? null,
        devices: view.desiredRevision === head.currentRevision ? (devices.byHub.get(target.hub) ?? null) : null,
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
    etag: revisionETag(head.currentRevision),
    deletedAt: head.deletedAt ?? null,
    hubs: views,
    totals: { targetedCount: sum('targetedCount'), appliedCount: sum('appliedCount'), reportedSuccessfulCount: sum('reportedSuccessfulCount'), reportedFailedCount: sum('reportedFailedCount') },
    devices: sumCounts(views.flatMap((v) => (v.devices ? [v.devices] : []))),
    devicesSource: devices.source,
    devicesAsOf: devices.asOf,
    conditions: rollout?.revision === head.currentRevision ? [...rollout.conditions] : [],
    dataAsOf: asOfs[0] ?? null,
    rollout: progressive ? rolloutView(progressive.state) : null,
    kind: revision?.kind ?? 'base',
    warnings: [...(revision?.warnings ?? [])],
  };
}
