// The composition root: settings are read and validated once, when the app
// loads (a bad setting stops the app with a message naming it), and adapters
// are built once and shared by every function (STYLE habits 9, 12).
//
// Lazy loading (issue 18): nothing here imports an SDK. Each group of
// adapters sits in shared/wiring/ with the SDK it needs, and is loaded by
// dynamic import() the first time a function asks for it: an HTTP function
// that reads tables never loads azure-iothub, @azure/storage-blob or
// @azure/identity, and importing the app (a cold start) loads none of them.
import { loadSettings, reportUnusableSettings, type Settings } from './config/settings';
import type { DeploymentsDeps } from './services/deployments/deploymentsService';
import type { StatusDeps } from './services/deployments/deploymentStatus';
import type { PassLease } from './services/reconcile/passLease';
import type { DependencyProbe } from './services/readiness/checkDependencies';
import type { FleetServices } from './wiring/fleetServices';
import type { StorageServices } from './wiring/storageServices';

export const settings: Settings = loadSettings(process.env);
reportUnusableSettings(settings, (line) => console.warn(line));

export type { FleetServices, StorageServices };

export interface Services extends StorageServices, FleetServices {
  readonly reconcileLease: PassLease;
  readonly dependencyProbes: readonly DependencyProbe[];
}

/** Builds once; a failed build (storage unreachable while creating a credential) is forgotten, so the next call tries again. */
function once<T>(build: () => Promise<T>): () => Promise<T> {
  let built: Promise<T> | undefined;
  return () =>
    (built ??= build().catch((error: unknown) => {
      built = undefined;
      throw error;
    }));
}

/** Table storage: every store (loads @azure/data-tables). */
export const storageServices = once(async () => (await import('./wiring/storageServices.js')).buildStorageServices(settings));

/** Storage and the hubs (loads azure-iothub too). */
export const fleetServices = once(async (): Promise<StorageServices & FleetServices> => {
  const storage = await storageServices();
  return { ...storage, ...(await (await import('./wiring/fleetServices.js')).buildFleetServices(storage)) };
});

/** Everything, for the reconciler and the readiness check (loads @azure/storage-blob too). */
export const getServices = once(async (): Promise<Services> => {
  const [services, reconcileLease, { settingsProbe }, { tablesProbe }] = await Promise.all([
    fleetServices(),
    import('./wiring/reconcileLease.js').then((m) => m.buildReconcileLease(settings)),
    import('./services/readiness/settingsProbe.js'),
    import('./adapters/tables/tablesProbe.js'),
  ]);
  return { ...services, reconcileLease, dependencyProbes: [tablesProbe(services.tableService), ...services.hubProbes, settingsProbe(settings.unusable)] };
});

/** What the deployment use cases need, from the shared services (call once per request). */
export async function deploymentsDeps(): Promise<DeploymentsDeps> {
  const s = await fleetServices();
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

/** What GET .../status needs: tables only. */
export async function statusDeps(): Promise<StatusDeps> {
  const s = await storageServices();
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
