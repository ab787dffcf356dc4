// The local Event Hubs endpoint: where the simulated hubs route device health
// events and the app's Event Hub trigger reads them. Port 5672, like the
// official emulator, so users' tools find it where they expect.
import { join } from 'node:path';
import type { StackComponent } from './component';
import { startReadyService } from './readyLine';

interface EndpointReady {
  port: number;
  connectionString: string;
  name: string;
  consumerGroup: string;
  toolsConsumerGroup: string;
}

export const eventhubsComponent: StackComponent = {
  name: 'eventhubs',
  async start({ stateDir, inMemory, eventHubsPort, log }) {
    const args = ['--port', String(eventHubsPort), ...(inMemory ? ['--in-memory'] : ['--data-dir', join(stateDir, 'eventhubs')])];
    const { child, ready } = await startReadyService<EndpointReady>('eventhubs', join(__dirname, '..', 'eventhubs', 'main.js'), args, log);
    return {
      settings: { HealthEventHub: ready.connectionString, HEALTH_EVENTHUB_NAME: ready.name, HEALTH_EVENTHUB_CONSUMER_GROUP: ready.consumerGroup },
      stackInfo: { eventHubs: { connectionString: ready.connectionString, name: ready.name, consumerGroup: ready.consumerGroup, toolsConsumerGroup: ready.toolsConsumerGroup } },
      stop: () => child.stop(),
    };
  },
};
