// The Table storage side of the composition root: every store over tables,
// built once. Loaded (with @azure/data-tables) by the first function that
// needs storage, through shared/composition.ts.
import { TableClient, TableServiceClient } from '@azure/data-tables';
import type { TokenCredential } from '@azure/identity';
import { tableClientOptions } from '../adapters/storageTimeouts';
import { tableDeploymentStore } from '../adapters/tables/tableDeploymentStore';
import { tableExpiringRows } from '../adapters/tables/tableExpiringRows';
import { tableHealthStore } from '../adapters/tables/tableHealthStore';
import { tableHubStatusStore } from '../adapters/tables/tableHubStatusStore';
import { tableIdempotencyStore } from '../adapters/tables/tableIdempotencyStore';
import { tableMetricsStore } from '../adapters/tables/tableMetricsStore';
import { tableRepositoryIndex } from '../adapters/tables/tableRepositoryIndex';
import { tableRolloutStatusStore } from '../adapters/tables/tableRolloutStatusStore';
import { tableRolloutStore } from '../adapters/tables/tableRolloutStore';
import { tableStatusSummaryStore } from '../adapters/tables/tableStatusSummaryStore';
import type { StorageConnection } from '../config/connections';
import type { Settings } from '../config/settings';
import { hubDirectory } from '../domain/health/hubDirectory';
import { type PageTokens, pageTokens } from '../http/paging';
import type { DeploymentStore } from '../services/deployments/deploymentStore';
import type { MetricsStore } from '../services/deployments/metricsStore';
import type { StatusSummaryStore } from '../services/deployments/statusSummary';
import { lruHealthCache } from '../services/health/healthCache';
import { healthDeviceCounts } from '../services/health/healthQueries';
import type { HealthStore } from '../services/health/healthStore';
import type { IngestDeps } from '../services/health/ingestHealth';
import type { HubStatusStore } from '../services/hubs/hubStatusStore';
import type { IdempotencyOptions, IdempotencyStore } from '../services/idempotency/idempotency';
import { type DeviceCountsSource, hubMetricsDeviceCounts } from '../services/reconcile/deviceCounts';
import type { RolloutStatusStore } from '../services/reconcile/rolloutStatusStore';
import type { RowTtl } from '../services/reconcile/rowTtl';
import type { RolloutStore } from '../services/rollout/rolloutStore';
import { indexedDeploymentStore } from '../services/registry/indexedDeploymentStore';
import type { RepositoryIndex } from '../services/registry/repositoryIndex';
import { credentialFor } from './credentials';

export interface StorageServices {
  readonly settings: Settings;
  readonly tableService: TableServiceClient;
  readonly deployments: DeploymentStore;
  /** The deployments store without the repository index (it reads sealed secrets). */
  readonly plainDeployments: DeploymentStore;
  readonly repositoryIndex: RepositoryIndex;
  readonly idempotency: IdempotencyStore;
  readonly idempotencyOptions: IdempotencyOptions;
  readonly hubStatus: HubStatusStore;
  readonly metrics: MetricsStore;
  readonly deviceCounts: DeviceCountsSource;
  readonly health: HealthStore;
  readonly healthIngest: IngestDeps;
  readonly rolloutStatus: RolloutStatusStore;
  readonly rollouts: RolloutStore;
  /** One row per deployment, written by each reconcile pass, read by GET .../status. */
  readonly statusSummaries: StatusSummaryStore;
  /** Tables whose rows the reconciler expires by age. */
  readonly rowTtls: readonly RowTtl[];
  readonly pageTokens: PageTokens;
}

// Plain HTTP only under LOCAL_DEV (loadSettings refuses it otherwise, naming the setting).
export const insecure = (settings: Settings, connectionString: string) => settings.LOCAL_DEV && /DefaultEndpointsProtocol=http;|Endpoint=http:/i.test(connectionString);
export const storageTimeoutsOf = (settings: Settings) => ({ tryTimeoutMs: settings.STORAGE_TRY_TIMEOUT_MS, maxRetries: settings.STORAGE_MAX_RETRIES });

export async function buildStorageServices(settings: Settings): Promise<StorageServices> {
  const storage: StorageConnection = settings.storage;
  const options = tableClientOptions(storageTimeoutsOf(settings));
  const credential: TokenCredential | undefined = storage.kind === 'identity' ? await credentialFor(storage.clientId) : undefined;
  const tableClientFor = (table: string): TableClient =>
    storage.kind === 'connectionString'
      ? TableClient.fromConnectionString(storage.connectionString, table, { allowInsecureConnection: insecure(settings, storage.connectionString), ...options })
      : new TableClient(storage.tableServiceUri, table, credential!, options);
  const tableService =
    storage.kind === 'connectionString'
      ? TableServiceClient.fromConnectionString(storage.connectionString, { allowInsecureConnection: insecure(settings, storage.connectionString), ...options })
      : new TableServiceClient(storage.tableServiceUri, credential!, options);

  const metrics = tableMetricsStore(tableClientFor('configmetrics'));
  const health = tableHealthStore((name) => tableClientFor(name), tableClientFor('healthdeadletters'));
  const repositoryIndex = tableRepositoryIndex(tableClientFor('imagerepositories'));
  const deployments = tableDeploymentStore(tableClientFor('deployments'));
  return {
    settings,
    tableService,
    // Every revision write records its followed repositories first, so a push reads only the deployments that follow it.
    deployments: indexedDeploymentStore(deployments, repositoryIndex),
    plainDeployments: deployments,
    repositoryIndex,
    idempotency: tableIdempotencyStore(tableClientFor('idempotency')),
    // A request lives about its deadline plus a few storage calls; a pending record well past that belongs to one that died.
    idempotencyOptions: { ttlMs: settings.IDEMPOTENCY_TTL_HOURS * 3600_000, staleAfterMs: Math.max(4 * settings.HTTP_DEADLINE_MS, 10_000) },
    hubStatus: tableHubStatusStore(tableClientFor('hubstatus')),
    metrics,
    deviceCounts: healthDeviceCounts(health, () => settings.HUBS.map((h) => h.name), hubMetricsDeviceCounts(metrics)),
    health,
    healthIngest: {
      store: health,
      cache: lruHealthCache(settings.HEALTH_CACHE_DEVICES),
      offlineAfterSeconds: settings.DEVICE_OFFLINE_AFTER_SECONDS,
      parallelism: settings.HEALTH_INGEST_PARALLELISM,
      hubs: hubDirectory(settings.HUBS),
      deadLetterTtlDays: settings.DEAD_LETTER_TTL_DAYS,
      livenessWriteSeconds: settings.DEVICE_LIVENESS_WRITE_SECONDS,
    },
    rolloutStatus: tableRolloutStatusStore(tableClientFor('rolloutstatus')),
    rollouts: tableRolloutStore(tableClientFor('rollouts')),
    statusSummaries: tableStatusSummaryStore(tableClientFor('statussummaries')),
    rowTtls: [
      { rows: tableExpiringRows(tableClientFor('idempotency')), maxAgeMs: settings.IDEMPOTENCY_TTL_HOURS * 3600_000 },
      { rows: tableExpiringRows(tableClientFor('healthdeadletters')), maxAgeMs: settings.DEAD_LETTER_TTL_DAYS * 86400_000 },
    ],
    pageTokens: pageTokens(settings.PAGE_TOKEN_KEY),
  };
}
