import { join } from 'node:path';
import { startAzurite } from '../azurite';
import type { StackComponent } from './component';

/** Table and blob storage: the app's desired state and health, and the host's checkpoints. */
export const azuriteComponent: StackComponent = {
  name: 'azurite',
  async start({ stateDir, inMemory }) {
    const azurite = await startAzurite(inMemory ? {} : { location: join(stateDir, 'azurite') });
    return {
      settings: { AzureWebJobsStorage: azurite.connectionString, FleetStorage: azurite.connectionString },
      stackInfo: { storageConnectionString: azurite.connectionString },
      stop: () => azurite.stop(),
    };
  },
};
