// The IoT Hub simulator: three regional hubs with a simulated edge fleet. The
// app reaches each through an ordinary connection string; `local` tells the
// app's IoT Hub adapter where the hub really listens and which CA to trust.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StackComponent } from './component';
import { startReadyService } from './readyLine';

interface SimulatorReady {
  hubs: { name: string; region: string; labels: Record<string, string>; hostName: string; connectionString: string; localEndpoint: string; caFile: string }[];
  adminUrl: string;
  caFile: string;
}

export const iothubComponent: StackComponent = {
  name: 'iothub-simulator',
  async start({ stateDir, inMemory, settings, log }) {
    const dir = inMemory ? mkdtempSync(join(tmpdir(), 'iothub-')) : join(stateDir, 'iothub');
    // Routed device events go to the local Event Hubs endpoint (started before this component).
    const env = settings.HealthEventHub ? { IOTHUB_SIM_EVENTHUBS_CONNECTION_STRING: settings.HealthEventHub, IOTHUB_SIM_EVENTHUBS_NAME: settings.HEALTH_EVENTHUB_NAME ?? 'device-health' } : undefined;
    const { child, ready } = await startReadyService<SimulatorReady>('iothub-simulator', join(__dirname, '..', 'iothub', 'main.js'), ['--state-dir', dir], log, env ? { env } : {});
    const hubs = ready.hubs.map((h) => ({
      name: h.name,
      region: h.region,
      labels: h.labels,
      connection: h.connectionString,
      local: { endpoint: h.localEndpoint, caFile: h.caFile },
    }));
    return {
      settings: { HUBS: JSON.stringify(hubs) },
      stackInfo: {
        hubs: ready.hubs.map(({ name, region, labels, connectionString, localEndpoint, caFile }) => ({ name, region, labels, connectionString, localEndpoint, caFile })),
        iothubAdminUrl: ready.adminUrl,
      },
      stop: () => child.stop(),
    };
  },
};
