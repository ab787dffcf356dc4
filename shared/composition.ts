// The composition root: settings are read and validated once, when the app
// loads (a bad setting stops the app with a message naming it), and adapters
// are built once, lazily, and shared by every function (STYLE habits 9, 12).
import { TableClient, TableServiceClient } from '@azure/data-tables';
import { DefaultAzureCredential, ManagedIdentityCredential, type TokenCredential } from '@azure/identity';
import { BlobServiceClient } from '@azure/storage-blob';
import { blobPassLease } from './adapters/blobs/blobPassLease';
import { createRegistry } from './adapters/iothub/createRegistry';
import { hubProbe } from './adapters/iothub/hubProbe';
import { registryConfigurations } from './adapters/iothub/registryConfigurations';
import { aesGcmSealer } from './adapters/secrets/aesGcmSealer';
import { tableDeploymentStore } from './adapters/tables/tableDeploymentStore';
import { tableHealthStore } from './adapters/tables/tableHealthStore';
import { tableHubStatusStore } from './adapters/tables/tableHubStatusStore';
import { tableMetricsStore } from './adapters/tables/tableMetricsStore';
import { tableRolloutStatusStore } from './adapters/tables/tableRolloutStatusStore';
import { tableRolloutStore } from './adapters/tables/tableRolloutStore';
import { tableIdempotencyStore } from './adapters/tables/tableIdempotencyStore';
import { tablesProbe } from './adapters/tables/tablesProbe';
import type { StorageConnection } from './config/connections';
import { loadSettings, type Settings } from './config/settings';
import { buildFleet } from './services/deployments/buildFleet';
import { type ConfigurationFor, configurationFor } from './services/deployments/configurationFor';
import type { DeploymentStore } from './services/deployments/deploymentStore';
import type { DeploymentsDeps } from './services/deployments/deploymentsService';
import type { HubFleet } from './services/deployments/hubRuntime';
import type { MetricsStore } from './services/deployments/metricsStore';
import type { SecretSealer } from './services/deployments/registrySecrets';
import { lruHealthCache } from './services/health/healthCache';
import { healthDeviceCounts } from './services/health/healthQueries';
import type { HealthStore } from './services/health/healthStore';
import type { IngestDeps } from './services/health/ingestHealth';
import type { HubStatusStore } from './services/hubs/hubStatusStore';
import type { IdempotencyStore } from './services/idempotency/idempotency';
import { type DeviceCountsSource, hubMetricsDeviceCounts } from './services/reconcile/deviceCounts';
import type { PassLease } from './services/reconcile/passLease';
import type { RolloutStatusStore } from './services/reconcile/rolloutStatusStore';
import type { RolloutStore } from './services/rollout/rolloutStore';
import type { DependencyProbe } from './services/readiness/checkDependencies';

export const settings: Settings = loadSettings(process.env);

export interface Services {
  readonly settings: Settings;
  readonly tableService: TableServiceClient;
  readonly deployments: DeploymentStore;
  readonly configurationFor: ConfigurationFor;
  /** Seals inline registry credentials (REGISTRY_SECRETS_KEY); undefined when no key is configured. */
  readonly sealer: SecretSealer | undefined;
  readonly idempotency: IdempotencyStore;
  readonly fleet: HubFleet;
  readonly hubStatus: HubStatusStore;
  readonly metrics: MetricsStore;
  readonly deviceCounts: DeviceCountsSource;
  readonly health: HealthStore;
  readonly healthIngest: IngestDeps;
  readonly rolloutStatus: RolloutStatusStore;
  readonly rollouts: RolloutStore;
  readonly reconcileLease: PassLease;
  readonly dependencyProbes: readonly DependencyProbe[];
}

// One credential per identity, shared by every client, so tokens are cached once.
// Without a client id, DefaultAzureCredential picks the identity from AZURE_CLIENT_ID
// (set by infra/ for the app's user-assigned identity).
const credentials = new Map<string, TokenCredential>();
function credentialFor(clientId: string | undefined): TokenCredential {
  const key = clientId ?? '';
  let credential = credentials.get(key);
  if (!credential) credentials.set(key, (credential = clientId ? new ManagedIdentityCredential({ clientId }) : new DefaultAzureCredential()));
  return credential;
}

const insecure = (connectionString: string) => /DefaultEndpointsProtocol=http;|Endpoint=http:/i.test(connectionString);

function tableClientFor(storage: StorageConnection, table: string): TableClient {
  if (storage.kind === 'connectionString') {
    return TableClient.fromConnectionString(storage.connectionString, table, { allowInsecureConnection: insecure(storage.connectionString) });
  }
  return new TableClient(storage.tableServiceUri, table, credentialFor(storage.clientId));
}

function tableServiceFor(storage: StorageConnection): TableServiceClient {
  if (storage.kind === 'connectionString') {
    return TableServiceClient.fromConnectionString(storage.connectionString, { allowInsecureConnection: insecure(storage.connectionString) });
  }
  return new TableServiceClient(storage.tableServiceUri, credentialFor(storage.clientId));
}

function blobServiceFor(storage: StorageConnection): BlobServiceClient {
  if (storage.kind === 'connectionString') return BlobServiceClient.fromConnectionString(storage.connectionString);
  return new BlobServiceClient(storage.blobServiceUri, credentialFor(storage.clientId));
}

let services: Services | undefined;

export function getServices(): Services {
  if (services) return services;
  const tableService = tableServiceFor(settings.storage);
  const metrics = tableMetricsStore(tableClientFor(settings.storage, 'configmetrics'));
  const health = tableHealthStore((name) => tableClientFor(settings.storage, name), tableClientFor(settings.storage, 'healthdeadletters'));
  const healthCache = lruHealthCache(settings.HEALTH_CACHE_DEVICES);
  // Hubs given by host name sign in with the app's identity (the storage connection names it in Azure).
  const hubCredential = credentialFor(settings.storage.kind === 'identity' ? settings.storage.clientId : undefined);
  const registries = new Map(settings.HUBS.map((hub) => [hub.name, createRegistry(hub, { credential: hubCredential })]));
  const fleet = buildFleet(settings.HUBS, {
    opsPerMinutePerUnit: settings.IOTHUB_CONFIG_OPS_PER_MINUTE_PER_UNIT,
    maxConfigurations: settings.IOTHUB_MAX_CONFIGURATIONS,
    configurationsFor: (hub) => registryConfigurations(hub.name, registries.get(hub.name)!, settings.IOTHUB_REQUEST_TIMEOUT_MS),
  });
  const deployments = tableDeploymentStore(tableClientFor(settings.storage, 'deployments'));
  const sealer = settings.REGISTRY_SECRETS_KEY ? aesGcmSealer(settings.REGISTRY_SECRETS_KEY) : undefined;
  services = {
    settings,
    tableService,
    deployments,
    configurationFor: configurationFor(settings.REGISTRY_CREDENTIALS, { read: (id) => deployments.secrets(id), sealer }),
    sealer,
    idempotency: tableIdempotencyStore(tableClientFor(settings.storage, 'idempotency')),
    fleet,
    hubStatus: tableHubStatusStore(tableClientFor(settings.storage, 'hubstatus')),
    metrics,
    deviceCounts: healthDeviceCounts(health, () => settings.HUBS.map((h) => h.name), hubMetricsDeviceCounts(metrics)),
    health,
    healthIngest: { store: health, cache: healthCache, offlineAfterSeconds: settings.DEVICE_OFFLINE_AFTER_SECONDS, parallelism: settings.HEALTH_INGEST_PARALLELISM },
    rolloutStatus: tableRolloutStatusStore(tableClientFor(settings.storage, 'rolloutstatus')),
    rollouts: tableRolloutStore(tableClientFor(settings.storage, 'rollouts')),
    reconcileLease: blobPassLease(blobServiceFor(settings.storage).getContainerClient('control-plane'), 'reconcile.lease'),
    dependencyProbes: [tablesProbe(tableService), ...[...registries].map(([name, registry]) => hubProbe(name, registry))],
  };
  return services;
}

/** What the deployment use cases need, from the shared services. */
export function deploymentsDeps(): DeploymentsDeps {
  const s = getServices();
  return {
    store: s.deployments,
    fleet: s.fleet,
    hubSettings: s.settings.HUBS,
    configurationFor: s.configurationFor,
    registryCredentialNames: Object.keys(s.settings.REGISTRY_CREDENTIALS),
    rollouts: s.rollouts,
    ...(s.sealer ? { sealer: s.sealer } : {}),
  };
}
