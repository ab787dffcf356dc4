// The hubs from the HUBS setting as the services use them: one configurations
// adapter and one rate limiter per hub, built once per app instance.
import type { HubSetting } from '../../config/settings';
import type { EdgeDeviceCounter } from '../hubs/edgeDevices';
import type { HubConfigurations } from '../hubs/hubConfigurations';
import { tokenBucket } from '../hubs/rateLimiter';
import type { HubFleet, HubRuntime } from './hubRuntime';

export interface FleetOptions {
  readonly installationId: string;
  readonly opsPerMinutePerUnit: number;
  readonly maxConfigurations: number;
  readonly configurationsFor: (hub: HubSetting) => HubConfigurations;
  readonly edgeDevicesFor?: (hub: HubSetting) => EdgeDeviceCounter;
}

export function buildFleet(hubs: readonly HubSetting[], options: FleetOptions): HubFleet {
  return {
    installationId: options.installationId,
    maxConfigurations: options.maxConfigurations,
    hubs: new Map(
      hubs.map((hub): [string, HubRuntime] => [
        hub.name,
        {
          name: hub.name,
          region: hub.region,
          labels: hub.labels,
          configurations: options.configurationsFor(hub),
          limiter: tokenBucket({ perMinute: options.opsPerMinutePerUnit * hub.units }),
          ...(options.edgeDevicesFor ? { edgeDevices: options.edgeDevicesFor(hub) } : {}),
        },
      ]),
    ),
  };
}
