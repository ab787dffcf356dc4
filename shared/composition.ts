// The composition root: settings are read and validated once, when the app
// loads (a bad setting stops the app with a message naming it), and adapters
// are built once, lazily, and shared by every function (STYLE habits 9, 12).
import { TableClient, TableServiceClient } from '@azure/data-tables';
import { DefaultAzureCredential, ManagedIdentityCredential, type TokenCredential } from '@azure/identity';
import { BlobServiceClient } from '@azure/storage-blob';
import { blobPassLease } from './adapters/blobs/blobPassLease';
import { blobClientOptions, storageCallBoundMs, tableClientOptions } from './adapters/storageTimeouts';
import { createRegistry } from './adapters/iothub/createRegistry';
import { hubProbe } from './adapters/iothub/hubProbe';
import { registryConfigurations } from './adapters/iothub/registryConfigurations';
import { aesGcmSealer } from './adapters/secrets/aesGcmSealer';
import { tableDeploymentStore } from './adapters/tables/tableDeploymentStore';
import { tableExpiringRows } from './adapters/tables/tableExpiringRows';
import { tableHealthStore } from './adapters/tables/tableHealthStore';
import { tableHubStatusStore } from './adapters/tables/tableHubStatusStore';
import { tableMetricsStore } from './adapters/tables/tableMetricsStore';
import { tableRepositoryIndex } from './adapters/tables/tableRepositoryIndex';
import { tableRolloutStatusStore } from './adapters/tables/tableRolloutStatusStore';
import { tableRolloutStore } from './adapters/tables/tableRolloutStore';
import { tableStatusSummaryStore } from './adapters/tables/tableStatusSummaryStore';
import { tableIdempotencyStore } from './adapters/tables/tableIdempotencyStore';
import { tablesProbe } from './adapters/tables/tablesProbe';
import type { StorageConnection } from './config/connections';
import { loadSettings, reportUnusableSettings, type Settings } from './config/settings';
import { type PageTokens, pageTokens } from './http/paging';
import { buildFleet } from './services/deployments/buildFleet';
import { type ConfigurationFor, configurationFor } from './services/deployments/configurationFor';
import type { DeploymentStore } from './services/deployments/deploymentStore';
import type { DeploymentsDeps } from './services/deployments/deploymentsService';
import type { StatusDeps } from './services/deployments/deploymentStatus';
import type { StatusSummaryStore } from './services/deployments/statusSummary';
import type { HubFleet } from './services/deployments/hubRuntime';
import type { MetricsStore } from './services/deployments/metricsStore';
import { hubDirectory } from './domain/health/hubDirectory';
import type { SecretSealer } from './services/deployments/registrySecrets';
import { lruHealthCache } from './services/health/healthCache';
import { installationIdOf } from './services/hubs/installationId';
import { healthDeviceCounts } from './services/health/healthQueries';
import type { HealthStore } from './services/health/healthStore';
import type { IngestDeps } from './services/health/ingestHealth';
import type { HubStatusStore } from './services/hubs/hubStatusStore';
import type { IdempotencyOptions, IdempotencyStore } from './services/idempotency/idempotency';
import { type DeviceCountsSource, hubMetricsDeviceCounts } from './services/reconcile/deviceCounts';
import type { PassLease } from './services/reconcile/passLease';
import type { RowTtl } from './services/reconcile/rowTtl';
import type { RolloutStatusStore } from './services/reconcile/rolloutStatusStore';
import type { RolloutStore } from './services/rollout/rolloutStore';
import type { DependencyProbe } from './services/readiness/checkDependencies';
import { indexedDeploymentStore } from './services/registry/indexedDeploymentStore';
import type { RepositoryIndex } from './services/registry/repositoryIndex';
import { settingsProbe } from './services/readiness/settingsProbe';

export const settings: Settings = loadSettings(process.env);
reportUnusableSettings(settings, (line) => console.warn(line));

export interface Services {
  readonly settings: Settings;
  readonly tableService: TableServiceClient;
  readonly deployments: DeploymentStore;
  readonly repositoryIndex: RepositoryIndex;
  readonly configurationFor: ConfigurationFor;
  /** Seals inline registry credentials (REGISTRY_SECRETS_KEY); undefined when no key is configured. */
  readonly sealer: SecretSealer | undefined;
  readonly idempotency: IdempotencyStore;
  readonly idempotencyOptions: IdempotencyOptions;
  readonly fleet: HubFleet;
  readonly hubStatus: HubStatusStore;
  readonly metrics: MetricsStore;
  readonly deviceCounts: DeviceCountsSource;
  readonly health: HealthStore;
  readonly healthIngest: IngestDeps;
  readonly rolloutStatus: RolloutStatusStore;
  readonly rollouts: RolloutStore;
  /** One row per deployment, written by each reconcile pass, read by GET .../status. */
  readonly statusSummaries: StatusSummaryStore;
  readonly reconcileLease: PassLease;
  /** Tables whose rows the reconciler expires by age. */
  readonly rowTtls: readonly RowTtl[];
  readonly dependencyProbes: readonly DependencyProbe[];
  readonly pageTokens: PageTokens;
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

// Plain HTTP only under LOCAL_DEV (loadSettings refuses it otherwise, naming the setting).
const insecure = (connectionString: string) => settings.LOCAL_DEV && /DefaultEndpointsProtocol=http;|Endpoint=http:/i.test(connectionString);
const storageTimeouts = { tryTimeoutMs: settings.STORAGE_TRY_TIMEOUT_MS, maxRetries: settings.STORAGE_MAX_RETRIES };

function tableClientFor(storage: StorageConnection, table: string): TableClient {
  if (storage.kind === 'connectionString') {
    return TableClient.fromConnectionString(storage.connectionString, table, { allowInsecureConnection: insecure(storage.connectionString), ...tableClientOptions(storageTimeouts) });
  }
  return new TableClient(storage.tableServiceUri, table, credentialFor(storage.clientId), tableClientOptions(storageTimeouts));
}

function tableServiceFor(storage: StorageConnection): TableServiceClient {
  if (storage.kind === 'connectionString') {
    return TableServiceClient.fromConnectionString(storage.connectionString, { allowInsecureConnection: insecure(storage.connectionString), ...tableClientOptions(storageTimeouts) });
  }
  return new TableServiceClient(storage.tableServiceUri, credentialFor(storage.clientId), tableClientOptions(storageTimeouts));
}

function blobServiceFor(storage: StorageConnection): BlobServiceClient {
  if (storage.kind === 'connectionString') return BlobServiceClient.fromConnectionString(storage.connectionString, blobClientOptions(storageTimeouts));
  return new BlobServiceClient(storage.blobServiceUri, credentialFor(storage.clientId), blobClientOptions(storageTimeouts));
}

let services: Services | undefined;

export function getServices(): Services {
  if (services) return services;
  const tableService = tableServiceFor(settings.storage);
  const metrics = tableMetricsStore(tableClientFor(settings.storage, 'configmetrics'));
  const health = tableHealthStore((name) => tableClientFor(settings.storage, name), tableClientFor(settings.storage, 'healthdeadletters'));
  const healthCache = lruHealthCache(settings.HEALTH_CACHE_DEVICES);
  const repositoryIndex = tableRepositoryIndex(tableClientFor(settings.storage, 'imagerepositories'));
  // Hubs given by host name sign in with the app's identity (the storage connection names it in Azure).
  const hubCredential = credentialFor(settings.storage.kind === 'identity' ? settings.storage.clientId : undefined);
  const registries = new Map(settings.HUBS.map((hub) => [hub.name, createRegistry(hub, { credential: hubCredential })]));
  const fleet = buildFleet(settings.HUBS, {
    installationId: installationIdOf(settings.INSTALLATION_ID, settings.storage),
    opsPerMinutePerUnit: settings.IOTHUB_CONFIG_OPS_PER_MINUTE_PER_UNIT,
    maxConfigurations: settings.IOTHUB_MAX_CONFIGURATIONS,
    configurationsFor: (hub) => registryConfigurations(hub.name, registries.get(hub.name)!, settings.IOTHUB_REQUEST_TIMEOUT_MS),
  });
  const deployments = tableDeploymentStore(tableClientFor(settings.storage, 'deployments'));
  const sealer = settings.REGISTRY_SECRETS_KEY ? aesGcmSealer(settings.REGISTRY_SECRETS_KEY) : undefined;
  services = {
    settings,
    tableService,
    // Every revision write records its followed repositories first, so a push reads only the deployments that follow it.
    deployments: indexedDeploymentStore(deployments, repositoryIndex),
    repositoryIndex,
    configurationFor: configurationFor(settings.REGISTRY_CREDENTIALS, fleet.installationId, { read: (id) => deployments.secrets(id), sealer }),
    sealer,
    idempotency: tableIdempotencyStore(tableClientFor(settings.storage, 'idempotency')),
    // A request lives about its deadline plus a few storage calls; a pending record well past that belongs to one that died.
    idempotencyOptions: { ttlMs: settings.IDEMPOTENCY_TTL_HOURS * 3600_000, staleAfterMs: Math.max(4 * settings.HTTP_DEADLINE_MS, 10_000) },
    fleet,
    hubStatus: tableHubStatusStore(tableClientFor(settings.storage, 'hubstatus')),
    metrics,
    deviceCounts: healthDeviceCounts(health, () => settings.HUBS.map((h) => h.name), hubMetricsDeviceCounts(metrics)),
    health,
    healthIngest: {
      store: health,
      cache: healthCache,
      offlineAfterSeconds: settings.DEVICE_OFFLINE_AFTER_SECONDS,
      parallelism: settings.HEALTH_INGEST_PARALLELISM,
      hubs: hubDirectory(settings.HUBS),
    },
    rolloutStatus: tableRolloutStatusStore(tableClientFor(settings.storage, 'rolloutstatus')),
    rollouts: tableRolloutStore(tableClientFor(settings.storage, 'rollouts')),
    statusSummaries: tableStatusSummaryStore(tableClientFor(settings.storage, 'statussummaries')),
    reconcileLease: blobPassLease(blobServiceFor(settings.storage).getContainerClient('control-plane'), 'reconcile.lease', { callTimeoutMs: storageCallBoundMs(storageTimeouts) }),
    rowTtls: [
      { rows: tableExpiringRows(tableClientFor(settings.storage, 'idempotency')), maxAgeMs: settings.IDEMPOTENCY_TTL_HOURS * 3600_000 },
      { rows: tableExpiringRows(tableClientFor(settings.storage, 'healthdeadletters')), maxAgeMs: settings.DEAD_LETTER_TTL_DAYS * 86400_000 },
    ],
    dependencyProbes: [tablesProbe(tableService), ...[...registries].map(([name, registry]) => hubProbe(name, registry)), settingsProbe(settings.unusable)],
    pageTokens: pageTokens(settings.PAGE_TOKEN_KEY),
  };
  return services;
}

/** What the deployment use cases need, from the shared services (call once per request). */
export function deploymentsDeps(): DeploymentsDeps {
  const s = getServices();
  return {
    store: s.deployments,
    fleet: s.fleet,
    hubSettings: s.settings.HUBS,
    configurationFor: s.configurationFor,
    registryCredentialNames: Object.keys(s.settings.REGISTRY_CREDENTIALS),
    rollouts: s.rollouts,
    // Built per request: the deadline runs from the request's start.
    deadline: AbortSignal.timeout(s.settings.HTTP_DEADLINE_MS),
    ...(s.sealer ? { sealer: s.sealer } : {}),
  };
}

/** What GET .../status needs, from the shared services. */
export function statusDeps(): StatusDeps {
  const s = getServices();
  return {
    store: s.deployments,
    metrics: s.metrics,
    hubStatus: s.hubStatus,
    deviceCounts: s.deviceCounts,
    rolloutStatus: s.rolloutStatus,
    rollouts: s.rollouts,
    summaries: { store: s.statusSummaries, maxAgeMs: s.settings.STATUS_SUMMARY_MAX_AGE_SECONDS * 1000 },
  };
}
