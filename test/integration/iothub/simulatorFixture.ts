// Shared set-up of the IoT Hub simulator integration tests: one simulator,
// SDK registries made the way the app makes them (createRegistry with a
// `local` hub setting), the admin API over plain HTTP, and bounded polling.
import { type Registry } from 'azure-iothub';
import { hubSettingSchema } from '../../../shared/config/settings';
import { createRegistry } from '../../../shared/adapters/iothub/createRegistry';
import { type IotHubSimulatorHandle, type IotHubSimulatorOptions, startIotHubSimulator } from '../../../local/iothub';

export async function startSimulator(options: IotHubSimulatorOptions = {}): Promise<IotHubSimulatorHandle> {
  return startIotHubSimulator({
    seed: 7,
    agent: { applyDelayMs: { min: 5, max: 40 }, crashRestartMs: 30, failAfterRestarts: 3, heartbeatMs: 0 },
    ...options,
  });
}

export function registryFor(sim: IotHubSimulatorHandle, hubName: string, connection?: string): Registry {
  const hub = sim.hubs.find((h) => h.name === hubName)!;
  return createRegistry(
    hubSettingSchema.parse({
      name: hub.name,
      region: hub.region,
      labels: hub.labels,
      connection: connection ?? hub.connectionString,
      local: { endpoint: hub.localEndpoint, caFile: hub.caFile },
    }),
  );
}

export async function admin<T = unknown>(sim: IotHubSimulatorHandle, method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${sim.adminUrl}${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const json = (await res.json()) as T;
  if (!res.ok) throw new Error(`admin ${method} ${path} -> ${res.status} ${JSON.stringify(json)}`);
  return json;
}

/** Polls until `check` returns a value (not undefined), failing after `timeoutMs` with the last value seen. */
export async function waitFor<T>(what: string, check: () => Promise<T | undefined> | T | undefined, timeoutMs = 10000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** An IoT Edge deployment's content in the shape the control plane sends. */
export function edgeContent(modules: Record<string, string>): { modulesContent: Record<string, unknown> } {
  return {
    modulesContent: {
      $edgeAgent: {
        'properties.desired': {
          schemaVersion: '1.1',
          runtime: { type: 'docker', settings: { minDockerVersion: 'v1.25' } },
          systemModules: {
            edgeAgent: { type: 'docker', settings: { image: 'mcr.microsoft.com/azureiotedge-agent:1.5' } },
            edgeHub: { type: 'docker', status: 'running', restartPolicy: 'always', settings: { image: 'mcr.microsoft.com/azureiotedge-hub:1.5' } },
          },
          modules: Object.fromEntries(
            Object.entries(modules).map(([name, image]) => [name, { type: 'docker', status: 'running', restartPolicy: 'always', version: '1.0', settings: { image } }]),
          ),
        },
      },
      $edgeHub: { 'properties.desired': { schemaVersion: '1.1', routes: { up: 'FROM /messages/* INTO $upstream' }, storeAndForwardConfiguration: { timeToLiveSecs: 7200 } } },
    },
  };
}
