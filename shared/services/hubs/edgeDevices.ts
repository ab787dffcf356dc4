// How many IoT Edge devices a hub has, and how many are connected: what a hub
// shown as a Kubernetes Node offers (its capacity), counted by the hub itself.

export interface EdgeDeviceCounts {
  /** Device identities with `capabilities.iotEdge = true`. */
  readonly total: number;
  /** Of those, the ones whose twin reads `connectionState = 'Connected'`. */
  readonly connected: number;
}

export interface EdgeDeviceCounter {
  count(): Promise<EdgeDeviceCounts>;
}
