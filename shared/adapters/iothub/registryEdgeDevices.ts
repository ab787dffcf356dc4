// EdgeDeviceCounter over the official azure-iothub Registry: two COUNT()
// queries of the device twins (IoT Hub query language,
// https://learn.microsoft.com/azure/iot-hub/iot-hub-devguide-query-language,
// "Device and module twin queries": `capabilities.iotEdge` and
// `connectionState` are twin fields). Each query counts against the hub's
// query throttle (20/min/unit on S1/S2), so the reconciler asks rarely.
import type { Registry } from 'azure-iothub';
import type { EdgeDeviceCounter } from '../../services/hubs/edgeDevices';
import { toAppError, withTimeout } from './iotHubErrors';

export type QueryRegistry = Pick<Registry, 'createQuery'>;

const EDGE = 'SELECT COUNT() AS n FROM devices WHERE capabilities.iotEdge = true';
const CONNECTED = `${EDGE} AND connectionState = 'Connected'`;

export function registryEdgeDevices(hub: string, registry: QueryRegistry, timeoutMs: number): EdgeDeviceCounter {
  async function count(sql: string): Promise<number> {
    try {
      const page = await withTimeout(registry.createQuery(sql).next(), timeoutMs, hub, 'count edge devices');
      const rows = (page as { result?: unknown }).result;
      const n = Array.isArray(rows) ? (rows[0] as { n?: unknown } | undefined)?.n : undefined;
      return typeof n === 'number' ? n : 0;
    } catch (error) {
      throw toAppError(error, hub, 'count edge devices');
    }
  }
  return {
    async count() {
      const [total, connected] = await Promise.all([count(EDGE), count(CONNECTED)]);
      return { total, connected };
    },
  };
}
