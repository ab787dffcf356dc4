// Devices of a deployment revision by health state, per hub. Health ingestion
// provides the real figures (offline included); until a deployment has any,
// the hubs' own systemMetrics stand in (they cannot tell offline devices apart).
import { configurationId } from '../../domain/deployments/configurationId';
import type { DeviceCounts } from '../../domain/rollout/conditions';
import type { MetricsStore } from '../deployments/metricsStore';

export interface DeviceCountsReport {
  readonly byHub: ReadonlyMap<string, DeviceCounts>;
  /** Module restarts of those devices per hub (health counters only: the hubs' metrics cannot tell, so absent). */
  readonly restartsByHub?: ReadonlyMap<string, number>;
  /** The newest data behind the counts; null when there is none. */
  readonly asOf: string | null;
  readonly source: 'health' | 'hubMetrics';
}

export interface DeviceCountsSource {
  /** `hubs`: only these (the revision's targets), when the caller knows them. */
  count(deploymentId: string, revision: number, hubs?: readonly string[]): Promise<DeviceCountsReport>;
  /** A source answering from one read of everything, for a caller about to count every deployment (a reconcile pass). */
  prefetch?(): Promise<DeviceCountsSource>;
}

export const noDevices: DeviceCounts = { succeeded: 0, progressing: 0, failed: 0, offline: 0, unknown: 0 };

export function sumCounts(counts: Iterable<DeviceCounts>): DeviceCounts {
  let total = noDevices;
  for (const c of counts) {
    total = { succeeded: total.succeeded + c.succeeded, progressing: total.progressing + c.progressing, failed: total.failed + c.failed, offline: total.offline + c.offline, unknown: total.unknown + c.unknown };
  }
  return total;
}

/** Counts from the hubs' systemMetrics as the reconciler last saw them. */
export function hubMetricsDeviceCounts(metrics: MetricsStore): DeviceCountsSource {
  return {
    async count(deploymentId, revision) {
      const id = configurationId(deploymentId, revision);
      const rows = (await metrics.forDeployment(deploymentId)).filter((m) => m.configurationId === id);
      const byHub = new Map<string, DeviceCounts>();
      for (const m of rows) {
        const n = (k: string) => (Number.isFinite(m.counts[k]) ? m.counts[k]! : 0);
        const succeeded = n('reportedSuccessfulCount');
        const failed = n('reportedFailedCount');
        byHub.set(m.hub, { succeeded, failed, progressing: Math.max(0, n('targetedCount') - succeeded - failed), offline: 0, unknown: 0 });
      }
      const asOf = rows.map((m) => m.observedAt).sort().at(-1) ?? null;
      return { byHub, asOf, source: 'hubMetrics' };
    },
  };
}
