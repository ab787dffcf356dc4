// The real function app in the local host, with its own Azurite and IoT Hub
// simulator on free ports: what the API integration tests run against.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { azuriteConnectionString, type AzuriteHandle, startAzurite } from '../../local/azurite';
import { type EventHubsEndpoint, startEventHubsEndpoint } from '../../local/eventhubs';
import { eventHubsPublisher } from '../../local/eventhubs/publisher';
import { type LocalHost, startLocalHost } from '../../local/host/host';
import type { LogEntry } from '../../local/host/invoke';
import { type IotHubSimulatorHandle, type IotHubSimulatorOptions, startIotHubSimulator } from '../../local/iothub';
import { type CountingProxy, startCountingProxy } from './countingProxy';
import { ensureTlsMaterial } from '../../local/iothub/certs';
import { writeKubeconfig } from '../../local/stack/kubeconfig';
import { projectRoot } from './fixtureApp';
import { startTcpProxy, type TcpProxy } from './tcpProxy';

export interface AppStack {
  readonly baseUrl: string;
  readonly keys: { functionKey: string; masterKey: string };
  readonly azurite: AzuriteHandle;
  readonly iothub: IotHubSimulatorHandle;
  /** Present with `eventHubs: true`: the simulated hubs route their events here and health ingestion reads them. */
  readonly eventHubs?: EventHubsEndpoint;
  readonly host: LocalHost;
  readonly logs: LogEntry[];
  /** Present with `countTableRequests: true`: the app's table requests go through it (FleetStorage). */
  readonly tableRequests?: CountingProxy;
  /** The app settings the host runs with (a second host can start from them). */
  readonly settings: Readonly<Record<string, string>>;
  /** With `hubProxies: true`: the TCP proxy between the app and each hub, by hub name. */
  readonly hubProxies: ReadonlyMap<string, TcpProxy>;
  /** With `storageProxy: true`: the TCP proxies between the app's FleetStorage and Azurite's table and blob services. */
  readonly storageProxy?: { readonly table: TcpProxy; readonly blob: TcpProxy };
  /** With `tls: true`: the kubeconfig file for the app's Kubernetes API over HTTPS (as `npm start` writes it). */
  readonly kubeconfig?: string;
  readonly kubernetesServer?: string;
  /** fetch against the API with the function key (or another key). */
  api(path: string, init?: RequestInit & { key?: string }): Promise<Response>;
  stop(): Promise<void>;
}

export interface AppStackOptions {
  readonly iothub?: IotHubSimulatorOptions;
  readonly settings?: Record<string, string>;
  /** Route device events through a local Event Hubs endpoint into health ingestion (off: ingestion is disabled). */
  readonly eventHubs?: boolean;
  /** Put a counting proxy between the app's FleetStorage table clients and Azurite. */
  readonly countTableRequests?: boolean;
  /** Put a TCP proxy between the app and each hub (to cut or black-hole it). */
  readonly hubProxies?: boolean;
  /** Put TCP proxies between the app's FleetStorage and Azurite (AzureWebJobsStorage stays direct, as the host's own storage). */
  readonly storageProxy?: boolean;
  /** Also serve the app over HTTPS (local CA) and write a kubeconfig for its Kubernetes API. */
  readonly tls?: boolean;
}

const HEALTH_HUB = 'device-health';
const HEALTH_GROUP = 'control-plane';

export async function startAppStack(options: AppStackOptions = {}): Promise<AppStack> {
  const azurite = await startAzurite();
  const eventHubs = options.eventHubs ? await startEventHubsEndpoint({ port: 0, hubs: [{ name: HEALTH_HUB, partitions: 2, consumerGroups: [HEALTH_GROUP] }] }) : undefined;
  const publisher = eventHubs && eventHubsPublisher(eventHubs.connectionString(), HEALTH_HUB);
  const iothub = await startIotHubSimulator({
    fleet: 20,
    seed: 7,
    limits: { configOpsPerMinutePerUnit: 6000, queriesPerMinutePerUnit: 6000 },
    ...(publisher ? { publisher } : {}),
    ...options.iothub,
  });
  const keys = { functionKey: 'test-function-key', masterKey: 'test-master-key' };
  const hubProxies = new Map<string, TcpProxy>();
  if (options.hubProxies) for (const h of iothub.hubs) hubProxies.set(h.name, await startTcpProxy(Number(new URL(h.localEndpoint).port)));
  const endpointOf = (h: (typeof iothub.hubs)[number]) => (hubProxies.has(h.name) ? `https://127.0.0.1:${hubProxies.get(h.name)!.port}` : h.localEndpoint);
  const hubs = iothub.hubs.map((h) => ({ name: h.name, region: h.region, labels: h.labels, connection: h.connectionString, local: { endpoint: endpointOf(h), caFile: h.caFile } }));
  const portOf = (endpoint: string) => Number(new URL(endpoint).port);
  const storageProxy = options.storageProxy ? { table: await startTcpProxy(portOf(azurite.tableEndpoint)), blob: await startTcpProxy(portOf(azurite.blobEndpoint)) } : undefined;
  const tableRequests = options.countTableRequests ? await startCountingProxy(new URL(azurite.tableEndpoint)) : undefined;
  const fleetStorage = storageProxy
    ? azuriteConnectionString('127.0.0.1', { blob: storageProxy.blob.port, queue: portOf(azurite.queueEndpoint), table: storageProxy.table.port })
    : tableRequests
      ? azurite.connectionString.replace(/TableEndpoint=http:\/\/[^/;]+/, `TableEndpoint=http://127.0.0.1:${tableRequests.port}`)
      : azurite.connectionString;
  const logs: LogEntry[] = [];
  const settings: Record<string, string> = {
    AzureWebJobsStorage: azurite.connectionString,
    FleetStorage: fleetStorage,
    HUBS: JSON.stringify(hubs),
    HEALTH_EVENTHUB_NAME: HEALTH_HUB,
    HEALTH_EVENTHUB_CONSUMER_GROUP: HEALTH_GROUP,
    ...(eventHubs
      ? { HealthEventHub: eventHubs.connectionString() }
      : { HealthEventHub: 'Endpoint=sb://127.0.0.1:1/;SharedAccessKeyName=k;SharedAccessKey=a2V5;UseDevelopmentEmulator=true', 'AzureWebJobs.healthIngest.Disabled': 'true' }),
    RECONCILE_SCHEDULE: '0 0 0 1 1 *',
    // Nothing schedules passes here (tests run them), so a summary would not be kept current:
    // /status reads live unless a test asks for summaries (statusSummary.test.ts, bench:status).
    STATUS_SUMMARY_MAX_AGE_SECONDS: '0',
    IOTHUB_CONFIG_OPS_PER_MINUTE_PER_UNIT: '6000',
    IOTHUB_REQUEST_TIMEOUT_MS: '3000',
    LOCAL_DEV: 'true',
    KUBERNETES_API_KEY: keys.functionKey,
    ...options.settings,
  };
  const tlsDir = options.tls ? mkdtempSync(join(tmpdir(), 'app-tls-')) : undefined;
  const tls = tlsDir ? ensureTlsMaterial(tlsDir, []) : undefined;
  const host = await startLocalHost({
    scriptRoot: projectRoot,
    port: 0,
    keys,
    ...(tls ? { tls: { cert: tls.cert, key: tls.key, port: 0 } } : {}),
    timers: 'manual',
    logger: (entry) => logs.push(entry),
    settings,
  });
  const baseUrl = `http://127.0.0.1:${host.port}/api`;
  const kubernetesServer = host.tlsBaseUrl && `${host.tlsBaseUrl}/k8s`;
  const kubeconfig = tlsDir && tls && kubernetesServer ? join(tlsDir, 'kubeconfig') : undefined;
  if (kubeconfig && tls && kubernetesServer) writeKubeconfig(kubeconfig, { server: kubernetesServer, caPem: tls.ca, token: keys.functionKey });
  return {
    baseUrl,
    keys,
    azurite,
    iothub,
    ...(eventHubs ? { eventHubs } : {}),
    host,
    logs,
    ...(tableRequests ? { tableRequests } : {}),
    settings,
    hubProxies,
    ...(storageProxy ? { storageProxy } : {}),
    ...(kubeconfig && kubernetesServer ? { kubeconfig, kubernetesServer } : {}),
    api: (path, init = {}) => {
      const { key, ...rest } = init;
      const headers = new Headers(rest.headers);
      if (!headers.has('x-functions-key')) headers.set('x-functions-key', key ?? keys.functionKey);
      return fetch(`${baseUrl}/${path.replace(/^\//, '')}`, { ...rest, headers });
    },
    async stop() {
      await host.stop();
      await Promise.all([...hubProxies.values(), ...(storageProxy ? [storageProxy.table, storageProxy.blob] : [])].map((p) => p.stop()));
      await tableRequests?.stop();
      await iothub.stop();
      await publisher?.close();
      await eventHubs?.stop();
      await azurite.stop();
    },
  };
}

export const fixture = (...parts: string[]) => join(projectRoot, 'test', 'fixtures', ...parts);
