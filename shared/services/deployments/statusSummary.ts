// What GET .../status needs besides the deployment's head, hub targets and
// rollout: the hubs' counts, their reachability, the devices by state, the
// conditions and what the revision was accepted with. Read live, that is a
// few table reads per hub (8 health shards each); the reconciler writes it
// once per pass per deployment as one row (a status summary), so a status
// read costs the same whatever the number of hubs.
import type { Condition, DeviceCounts } from '../../domain/rollout/conditions';
import type { DeploymentKind } from '../../domain/deployments/layered';
import type { DeploymentWarning } from '../../domain/deployments/warnings';
import type { HubStatus } from '../hubs/hubStatusStore';
import type { ConfigurationMetrics } from './metricsStore';

export interface StatusFacts {
  /** The revision the devices, conditions, kind and warnings are for. */
  readonly revision: number;
  /** The hubs' own counts, one row per (hub, configuration) of the deployment. */
  readonly metrics: readonly ConfigurationMetrics[];
  /** Reachability of the deployment's hubs at the reconciler's last check. */
  readonly hubs: readonly HubStatus[];
  readonly devices: {
    readonly byHub: Readonly<Record<string, DeviceCounts>>;
    readonly source: 'health' | 'hubMetrics';
    readonly asOf: string | null;
  };
  /** The conditions computed for `revision` ([] when none yet). */
  readonly conditions: readonly Condition[];
  readonly kind: DeploymentKind;
  readonly warnings: readonly DeploymentWarning[];
}

export interface StatusSummary extends StatusFacts {
  readonly deploymentId: string;
  /** When the reconcile pass read the facts: the summary's age. */
  readonly builtAt: string;
}

export interface StatusSummaryStore {
  get(deploymentId: string): Promise<StatusSummary | undefined>;
  /** Every summary's deployment id (to drop those of purged deployments). */
  ids(): Promise<string[]>;
  put(summary: StatusSummary): Promise<void>;
  /** Absent is fine. */
  remove(deploymentId: string): Promise<void>;
}
