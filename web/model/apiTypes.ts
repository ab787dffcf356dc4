// The API's response shapes, taken from the server's own zod-inferred types
// (type-only imports: nothing of the server is bundled into the page).
export type { DeploymentStatus, HubStatusView } from '../../shared/services/deployments/deploymentStatus';
export type { RolloutView } from '../../shared/services/rollout/rolloutView';
export type { DeploymentView, HubTargetView, RevisionView } from '../../shared/services/deployments/deploymentViews';
export type { DeploymentDevice, DeviceHealthView } from '../../shared/services/health/healthQueries';
export type { GateSpec } from '../../shared/domain/rollout/rolloutSpec';

export type HealthState = 'succeeded' | 'progressing' | 'failed' | 'offline' | 'unknown';
export const HEALTH_STATES: readonly HealthState[] = ['succeeded', 'progressing', 'failed', 'offline', 'unknown'];
export type DeviceCounts = Readonly<Record<HealthState, number>>;

export interface DeploymentSummary {
  readonly id: string;
  readonly revision: number;
  readonly etag: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export interface HubInfo {
  readonly name: string;
  readonly region: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly units?: number;
  readonly reachability: {
    readonly reachable: boolean | null;
    readonly checkedAt: string | null;
    readonly lastContactAt: string | null;
    readonly lastError: { readonly code: string; readonly message: string } | null;
    readonly configurationCount: number | null;
  };
}

export interface Page<T> {
  readonly items: readonly T[];
  readonly continuationToken: string | null;
}
