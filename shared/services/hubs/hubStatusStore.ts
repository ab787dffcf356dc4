// Last-known reachability of each hub, as the reconciler saw it on its latest
// pass (it lists every hub anyway), so GET /api/hubs costs the hubs nothing.
import type { EdgeDeviceCounts } from './edgeDevices';

export interface HubStatus {
  readonly hub: string;
  readonly reachable: boolean;
  readonly checkedAt: string;
  /** Last time the hub answered. */
  readonly lastContactAt?: string;
  readonly lastError?: string;
  /** Configurations the hub held at the last check (the hub limit is 100 on standard tiers). */
  readonly configurationCount?: number;
  /** The hub's edge devices when last counted (at most every few minutes, see countEdgeDevices.ts); absent until then. */
  readonly edgeDevices?: EdgeDeviceCounts & { readonly countedAt: string };
  /** Present while garbage collection is fenced on the hub, as of checkedAt (see services/reconcile/gcFence.ts). */
  readonly gcFence?: { readonly reason: string; readonly message: string };
}

export interface HubStatusStore {
  record(statuses: readonly HubStatus[]): Promise<void>;
  all(): Promise<HubStatus[]>;
}
