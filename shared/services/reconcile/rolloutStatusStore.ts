// The conditions the reconciler last computed for each deployment, and when
// its rollout last made progress (for the progress deadline).
import type { Condition } from '../../domain/rollout/conditions';

export interface RolloutStatus {
  readonly deploymentId: string;
  readonly revision: number;
  readonly conditions: readonly Condition[];
  readonly progressKey: string;
  readonly lastProgressAt: string;
  readonly observedAt: string;
}

export interface RolloutStatusStore {
  get(deploymentId: string): Promise<RolloutStatus | undefined>;
  all(): Promise<RolloutStatus[]>;
  put(status: RolloutStatus): Promise<void>;
  /** Drops a purged deployment's row (absent is fine). */
  remove(deploymentId: string): Promise<void>;
}
