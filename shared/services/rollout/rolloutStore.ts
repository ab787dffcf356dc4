// Where each deployment's latest progressive rollout lives: its state and the
// history of its transitions. Writes are guarded by ETag, so a person's command
// and a reconcile pass never overwrite each other.
import type { RolloutState } from '../../domain/rollout/rolloutMachine';

export interface StoredRollout {
  readonly state: RolloutState;
  readonly etag: string;
}

export interface RolloutStore {
  get(deploymentId: string): Promise<StoredRollout | undefined>;
  /** Creates (no etag) or replaces the row if it is unchanged since read; false when another writer won. */
  put(state: RolloutState, etag?: string): Promise<boolean>;
  /** Drops the deployment's rollout (its deployment is being purged); nothing there is fine. */
  remove(deploymentId: string): Promise<void>;
}
