// The reconcile step that counts each hub's edge devices (what `kubectl get
// nodes` shows as a hub's capacity). Counting costs two queries of the hub's
// query throttle (20/min/unit on S1/S2, shared with everything else that
// queries the hub), so a hub is counted at most every COUNT_INTERVAL_MS, and
// only when it answered this pass. A failed count keeps the last one: it is a
// figure to show, never a reason to fail the pass.
import type { EdgeDeviceCounts } from '../hubs/edgeDevices';
import type { HubRuntime } from '../deployments/hubRuntime';
import type { HubStatus } from '../hubs/hubStatusStore';
import { untilAborted } from '../hubs/hubCall';
import { isPassStopped } from './passContext';

export const COUNT_INTERVAL_MS = 5 * 60_000;

export type CountedEdgeDevices = EdgeDeviceCounts & { readonly countedAt: string };

export function edgeDeviceCountDue(previous: HubStatus | undefined, now: Date): boolean {
  const at = previous?.edgeDevices?.countedAt;
  return !at || now.getTime() - Date.parse(at) >= COUNT_INTERVAL_MS;
}

/** The hubs (of those that answered) whose count is due, counted now; the others are left out. */
export async function countEdgeDevices(hubs: readonly HubRuntime[], previous: ReadonlyMap<string, HubStatus>, now: Date, signal: AbortSignal): Promise<Map<string, CountedEdgeDevices>> {
  const counted = new Map<string, CountedEdgeDevices>();
  await Promise.all(
    hubs.map(async (hub) => {
      if (!hub.edgeDevices || !edgeDeviceCountDue(previous.get(hub.name), now)) return;
      try {
        const counts = await untilAborted(hub.edgeDevices.count(), signal);
        counted.set(hub.name, { ...counts, countedAt: now.toISOString() });
      } catch (error) {
        if (isPassStopped(error)) throw error;
      }
    }),
  );
  return counted;
}
