// What the services know about one configured hub at run time: its settings
// (name, region, labels) and the means to sync it (configurations port, rate limiter).
import type { EdgeDeviceCounter } from '../hubs/edgeDevices';
import type { HubConfigurations } from '../hubs/hubConfigurations';
import type { RateLimiter } from '../hubs/rateLimiter';

export interface HubRuntime {
  readonly name: string;
  readonly region: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly configurations: HubConfigurations;
  readonly limiter: RateLimiter;
  /** Counts the hub's edge devices (Node capacity); absent where nothing counts them (benchmarks, some tests). */
  readonly edgeDevices?: EdgeDeviceCounter;
}

export interface HubFleet {
  readonly hubs: ReadonlyMap<string, HubRuntime>;
  /** This installation's name on the hubs (INSTALLATION_ID): what it syncs and garbage-collects is only its own. */
  readonly installationId: string;
  readonly maxConfigurations: number;
}
