// The IoT Hub side of the composition root: one azure-iothub Registry per
// hub and the fleet over them. Loaded (with azure-iothub) by the first
// function that talks to hubs, through shared/composition.ts.
import { createRegistry } from '../adapters/iothub/createRegistry';
import { hubProbe } from '../adapters/iothub/hubProbe';
import { registryConfigurations } from '../adapters/iothub/registryConfigurations';
import { registryEdgeDevices } from '../adapters/iothub/registryEdgeDevices';
import { aesGcmSealer } from '../adapters/secrets/aesGcmSealer';
import { parseHubConnection } from '../adapters/iothub/createRegistry';
import { buildFleet } from '../services/deployments/buildFleet';
import { type ConfigurationFor, configurationFor } from '../services/deployments/configurationFor';
import type { HubFleet } from '../services/deployments/hubRuntime';
import type { SecretSealer } from '../services/deployments/registrySecrets';
import { installationIdOf } from '../services/hubs/installationId';
import type { DependencyProbe } from '../services/readiness/checkDependencies';
import { credentialFor } from './credentials';
import type { StorageServices } from './storageServices';

export interface FleetServices {
  readonly fleet: HubFleet;
  readonly configurationFor: ConfigurationFor;
  /** Seals inline registry credentials (REGISTRY_SECRETS_KEY); undefined when no key is configured. */
  readonly sealer: SecretSealer | undefined;
  readonly hubProbes: readonly DependencyProbe[];
}

export async function buildFleetServices(storage: StorageServices): Promise<FleetServices> {
  const { settings } = storage;
  // Hubs given by host name sign in with the app's identity (the storage connection names it in Azure).
  const byHostName = settings.HUBS.some((hub) => parseHubConnection(hub.connection).kind === 'hostName');
  const credential = byHostName ? await credentialFor(settings.storage.kind === 'identity' ? settings.storage.clientId : undefined) : undefined;
  const registries = new Map(settings.HUBS.map((hub) => [hub.name, createRegistry(hub, credential ? { credential } : {})]));
  const fleet = buildFleet(settings.HUBS, {
    installationId: installationIdOf(settings.INSTALLATION_ID, settings.storage),
    opsPerMinutePerUnit: settings.IOTHUB_CONFIG_OPS_PER_MINUTE_PER_UNIT,
    maxConfigurations: settings.IOTHUB_MAX_CONFIGURATIONS,
    configurationsFor: (hub) => registryConfigurations(hub.name, registries.get(hub.name)!, settings.IOTHUB_REQUEST_TIMEOUT_MS),
    edgeDevicesFor: (hub) => registryEdgeDevices(hub.name, registries.get(hub.name)!, settings.IOTHUB_REQUEST_TIMEOUT_MS),
  });
  const sealer = settings.REGISTRY_SECRETS_KEY ? aesGcmSealer(settings.REGISTRY_SECRETS_KEY) : undefined;
  return {
    fleet,
    configurationFor: configurationFor(settings.REGISTRY_CREDENTIALS, fleet.installationId, { read: (id) => storage.plainDeployments.secrets(id), sealer }),
    sealer,
    hubProbes: [...registries].map(([name, registry]) => hubProbe(name, registry)),
  };
}
