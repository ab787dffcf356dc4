// Health probe of one IoT Hub: the registry statistics call proves the hub is
// reachable and our identity is authorized, without spending the hub's
// throttled configuration operations (20/min/unit) on monitoring.
import type { Registry } from 'azure-iothub';
import type { DependencyProbe } from '../../services/readiness/checkDependencies';
import { toAppError } from './iotHubErrors';

export function hubProbe(hub: string, registry: Pick<Registry, 'getRegistryStatistics'>): DependencyProbe {
  return {
    name: `hub:${hub}`,
    kind: 'hub',
    async check() {
      try {
        await registry.getRegistryStatistics();
      } catch (error) {
        throw toAppError(error, hub, 'registry statistics');
      }
    },
  };
}
