// GET /api/deployments/{id}/status: per hub, where the deployment is (sync
// state, the hub's own counts) and how fresh each figure is. Nothing here
// calls a hub: counts come from the reconciler's latest list of each hub.
// The head, hub targets and rollout are read live; the rest (StatusFacts)
// comes from the deployment's status summary when the last pass wrote one for
// the current revision (4 table reads whatever the number of hubs), else it is
// read live (a few reads per hub) and the answer says so.
import { z } from 'zod';
import type { HubStatusStore } from '../hubs/hubStatusStore';
import type { DeploymentHead, DeploymentStore, HubTarget } from './deploymentStore';
import { deploymentWarningSchema, hubTargetView, hubTargetViewSchema, revisionETag } from './deploymentViews';
import type { MetricsStore } from './metricsStore';
import type { StatusFacts, StatusSummaryStore } from './statusSummary';
import { type DeviceCountsSource, sumCounts } from '../reconcile/deviceCounts';
import type { RolloutStatusStore } from '../reconcile/rolloutStatusStore';
import { notFound } from '../../errors';
import type { RolloutState } from '../../domain/rollout/rolloutMachine';
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
    source: z.enum(['summary', 'live']).meta({ description: "summary: counts, devices and conditions from the status summary the last reconcile pass wrote (as of summaryAsOf); live: read now from each hub's rows (no summary for this revision yet, or it was too old)" }),
    summaryAsOf: z.string().nullable().meta({ description: 'When the reconcile pass built the summary used (source summary); null for live reads' }),
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
  /** Without it (or with maxAgeMs 0) every read is live. */
  readonly summaries?: { readonly store: StatusSummaryStore; readonly maxAgeMs: number; readonly now?: () => Date };
}

const count = (counts: Readonly<Record<string, number>>, key: keyof HubCounts) => (Number.isFinite(counts[key]) ? counts[key]! : 0);

/** The facts read now from their own tables: a few reads per hub (the health counters are 8 shards a hub). */
export async function liveStatusFacts(deps: Pick<StatusDeps, 'store' | 'metrics' | 'hubStatus' | 'deviceCounts' | 'rolloutStatus'>, head: DeploymentHead, targets: readonly HubTarget[]): Promise<StatusFacts> {
  const hubNames = new Set(targets.map((t) => t.hub));
  const [metrics, hubs, devices, conditions, revision] = await Promise.all([
    deps.metrics.forDeployment(head.id),
    deps.hubStatus.all(),
    deps.deviceCounts.count(head.id, head.currentRevision, [...hubNames]),
    deps.rolloutStatus.get(head.id),
    deps.store.getRevision(head.id, head.currentRevision),
  ]);
  return {
    revision: head.currentRevision,
    metrics,
    hubs: hubs.filter((h) => hubNames.has(h.hub)),
    devices: { byHub: Object.fromEntries([...devices.byHub].filter(([hub]) => hubNames.has(hub))), source: devices.source, asOf: devices.asOf },
    conditions: conditions?.revision === head.currentRevision ? conditions.conditions : [],
    kind: revision?.kind ?? 'base',
    warnings: revision?.warnings ?? [],
  };
}

export async function deploymentStatus(deps: StatusDeps, id: string): Promise<DeploymentStatus> {
  const head = await deps.store.get(id);
  if (!head) throw notFound(`deployment '${id}'`, 'DeploymentNotFound');
  const [targets, progressive, summary] = await Promise.all([deps.store.hubTargets(id), deps.rollouts?.get(id), deps.summaries && deps.summaries.maxAgeMs > 0 ? deps.summaries.store.get(id) : undefined]);
  const now = deps.summaries?.now?.() ?? new Date();
  // A summary of another revision (a change since the pass) or an old one (passes stopped) is not this status.
  const usable = summary && summary.revision === head.currentRevision && now.getTime() - Date.parse(summary.builtAt) <= deps.summaries!.maxAgeMs;
  const facts = usable ? summary : await liveStatusFacts(deps, head, targets);
  return statusView(head, targets, facts, progressive?.state, usable ? { source: 'summary', summaryAsOf: summary.builtAt } : { source: 'live', summaryAsOf: null });
}

/** The status from its parts, the same whether the facts came from a summary or were read live. */
export function statusView(head: DeploymentHead, targets: readonly HubTarget[], facts: StatusFacts, progressive: RolloutState | undefined, origin: Pick<DeploymentStatus, 'source' | 'summaryAsOf'>): DeploymentStatus {
  const metricsByHub = new Map(facts.metrics.map((m) => [m.hub, m]));
  const hubByName = new Map(facts.hubs.map((h) => [h.hub, h]));
  const current = facts.revision === head.currentRevision;

  const views = targets
    .map((target): HubStatusView => {
      const view = hubTargetView(target);
      const m = metricsByHub.get(target.hub);
      const hub = hubByName.get(target.hub);
      const matching = m && m.configurationId === view.configurationId ? m : undefined;
      // Unchanged counts are not rewritten, so they are as fresh as the hub's last successful check.
      const asOf = matching ? (hub?.lastContactAt && hub.lastContactAt > matching.observedAt ? hub.lastContactAt : matching.observedAt) : undefined;
      return {
        ...view,
        customMetrics: matching?.custom ?? null,
        hubReachable: hub?.reachable ?? null,
        devices: current && view.desiredRevision === head.currentRevision ? (facts.devices.byHub[target.hub] ?? null) : null,
        metrics:
          matching && asOf
            ? {
                targetedCount: count(matching.counts, 'targetedCount'),
                appliedCount: count(matching.counts, 'appliedCount'),
                reportedSuccessfulCount: count(matching.counts, 'reportedSuccessfulCount'),
                reportedFailedCount: count(matching.counts, 'reportedFailedCount'),
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
    id: head.id,
    revision: head.currentRevision,
    etag: revisionETag(head.currentRevision),
    deletedAt: head.deletedAt ?? null,
    hubs: views,
    totals: { targetedCount: sum('targetedCount'), appliedCount: sum('appliedCount'), reportedSuccessfulCount: sum('reportedSuccessfulCount'), reportedFailedCount: sum('reportedFailedCount') },
    devices: sumCounts(views.flatMap((v) => (v.devices ? [v.devices] : []))),
    devicesSource: facts.devices.source,
    devicesAsOf: facts.devices.asOf,
    conditions: current ? [...facts.conditions] : [],
    dataAsOf: asOfs[0] ?? null,
    ...origin,
    rollout: progressive ? rolloutView(progressive) : null,
    kind: current ? facts.kind : 'base',
    warnings: current ? [...facts.warnings] : [],
  };
}
