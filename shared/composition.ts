// The composition root: settings are read and validated once, when the app
// loads (a bad setting stops the app with a message naming it), and adapters
// are built once, lazily, and shared by every function (STYLE habits 9, 12).
import { TableServiceClient } from '@azure/data-tables';
import { DefaultAzureCredential, ManagedIdentityCredential, type TokenCredential } from '@azure/identity';
import type { StorageConnection } from './config/connections';
import { loadSettings, type Settings } from './config/settings';
import { tablesProbe } from './adapters/tables/tablesProbe';
import type { DependencyProbe } from './services/readiness/checkDependencies';

export const settings: Settings = loadSettings(process.env);

export interface Services {
  readonly settings: Settings;
  readonly tableService: TableServiceClient;
  readonly dependencyProbes: readonly DependencyProbe[];
}

function credentialFor(clientId: string | undefined): TokenCredential {
  return clientId ? new ManagedIdentityCredential({ clientId }) : new DefaultAzureCredential();
}

function tableServiceFor(storage: StorageConnection): TableServiceClient {
  if (storage.kind === 'connectionString') {
    return TableServiceClient.fromConnectionString(storage.connectionString, {
      allowInsecureConnection: /DefaultEndpointsProtocol=http;|TableEndpoint=http:/i.test(storage.connectionString),
    });
  }
  return new TableServiceClient(storage.tableServiceUri, credentialFor(storage.clientId));
}

let services: Services | undefined;

export function getServices(): Services {
  if (services) return services;
  const tableService = tableServiceFor(settings.storage);
  services = {
    settings,
    tableService,
    dependencyProbes: [tablesProbe(tableService)],
  };
  return services;
}
