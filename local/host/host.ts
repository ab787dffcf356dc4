// The local Azure Functions host: runs the app's own `app.*` registrations
// (functions/ stays standard Azure Functions code) with HTTP, timer and
// Event Hub triggers. Core Tools cannot be installed here; see docs/local-host.md.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadFunctionApp } from './appLoader';
import { workerCapabilities } from './capabilities';
import type { RegisteredFunction } from './functionsCore';
import { type EventHubListener, startEventHubListener } from './eventHubTrigger';
import { type HttpFront, startHttpFront } from './httpTrigger';
import { type HostLogger, triggerBindingName } from './invoke';
import type { HostKeys } from './keys';
import { consoleLogger } from './logger';
import { startTimer, type TimerRunner } from './timerTrigger';

export interface LocalHostOptions {
  /** Folder holding package.json and host.json (the app's root). */
  readonly scriptRoot: string;
  /** App settings; exported to process.env as the Functions host does. */
  readonly settings: Readonly<Record<string, string>>;
  readonly port: number;
  readonly keys: HostKeys;
  readonly logger?: HostLogger;
  /** Disables timers' own schedules (tests drive them with runFunction). */
  readonly timers?: 'scheduled' | 'manual';
  /** Event Hub partition load balancing between hosts (tests shorten the SDK's 60 s ownership expiry). */
  readonly eventHubLoadBalancing?: { readonly updateIntervalInMs?: number; readonly partitionOwnershipExpirationIntervalInMs?: number };
  /** Also serve HTTPS with this certificate (0 picks a free port). */
  readonly tls?: { readonly cert: string; readonly key: string; readonly port: number };
}

export interface LocalHost {
  readonly port: number;
  readonly baseUrl: string;
  /** `https://127.0.0.1:<port>/<routePrefix>`, when `tls` was given. */
  readonly tlsBaseUrl?: string;
  readonly functions: readonly RegisteredFunction[];
  /** Runs a timer function now and waits for it; false if there is no such function. */
  runFunction(name: string): Promise<boolean>;
  stop(): Promise<void>;
}

interface HostJson {
  extensions?: { http?: { routePrefix?: string }; eventHubs?: { maxEventBatchSize?: number } };
}

export async function startLocalHost(options: LocalHostOptions): Promise<LocalHost> {
  const logger = options.logger ?? consoleLogger();
  Object.assign(process.env, options.settings);
  const hostJson = JSON.parse(readFileSync(join(options.scriptRoot, 'host.json'), 'utf8')) as HostJson;
  // `AzureWebJobs.<name>.Disabled` = true switches a function off, as in Azure.
  const disabled = (fn: RegisteredFunction) => /^(true|1)$/i.test(options.settings[`AzureWebJobs.${fn.metadata.name}.Disabled`] ?? '');
  const functions = loadFunctionApp(options.scriptRoot).filter((fn) => !disabled(fn));
  // After the entry points, as the worker does: `app.setup({ enableHttpStream })` has run by now.
  const httpUri = (await workerCapabilities()).HttpUri;
  const typeOf = (fn: RegisteredFunction) => fn.metadata.bindings[triggerBindingName(fn)]!.type;

  const timers = new Map<string, TimerRunner>();
  const listeners: EventHubListener[] = [];
  let front: HttpFront | undefined;
  const stop = async () => {
    await front?.close();
    await Promise.all([...timers.values()].map((t) => t.stop()));
    await Promise.all(listeners.map((l) => l.stop()));
  };

  try {
    for (const fn of functions.filter((f) => typeOf(f) === 'timerTrigger')) {
      const runner = startTimer(fn, { settings: options.settings, logger });
      if (options.timers === 'manual') await runner.stop();
      timers.set(fn.metadata.name.toLowerCase(), runner);
    }
    const runFunction = async (name: string) => {
      const timer = timers.get(name.toLowerCase());
      if (!timer) return false;
      await timer.runNow();
      return true;
    };
    front = await startHttpFront({
      port: options.port,
      routePrefix: hostJson.extensions?.http?.routePrefix ?? 'api',
      keys: options.keys,
      functions,
      logger,
      runFunction,
      ...(options.tls ? { tls: options.tls } : {}),
      ...(httpUri ? { workerHttpUri: new URL(httpUri) } : {}),
    });
    const eventHubFunctions = functions.filter((f) => typeOf(f) === 'eventHubTrigger');
    if (eventHubFunctions.length) {
      const hostStorage = options.settings.AzureWebJobsStorage;
      if (!hostStorage) throw new Error('AzureWebJobsStorage must be set: Event Hub checkpoints live there');
      for (const fn of eventHubFunctions) {
        listeners.push(
          await startEventHubListener(fn, {
            settings: options.settings,
            hostStorageConnectionString: hostStorage,
            logger,
            maxBatchSize: hostJson.extensions?.eventHubs?.maxEventBatchSize ?? 100,
            ...(options.eventHubLoadBalancing ? { loadBalancing: options.eventHubLoadBalancing } : {}),
          }),
        );
      }
    }
    const port = front.port;
    return {
      port,
      baseUrl: `http://localhost:${port}/${hostJson.extensions?.http?.routePrefix ?? 'api'}`,
      ...(front.tlsPort === undefined ? {} : { tlsBaseUrl: `https://127.0.0.1:${front.tlsPort}/${hostJson.extensions?.http?.routePrefix ?? 'api'}` }),
      functions,
      runFunction,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
