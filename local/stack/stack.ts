// Starts the whole local stack: components (Azurite, simulators) then the
// local Functions host over the app's registrations, and describes it all in
// `.local/stack.json`. Used by `npm start` (main.ts) and by end-to-end tests.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadSettings } from '../../shared/config/settings';
import { type LocalHost, startLocalHost } from '../host/host';
import { ensureTlsMaterial } from '../iothub/certs';
import type { HostLogger } from '../host/invoke';
import type { StackComponent, StartedComponent } from './component';
import { baseSettings, defaultComponents } from './components';
import { loadOrCreateAppSecrets } from './appSecretsFile';
import { writeKubeconfig } from './kubeconfig';
import { loadOrCreateKeys } from './keysFile';
import { mergeSettings, readLocalSettingsFile } from './localSettings';

export interface StackOptions {
  readonly projectRoot: string;
  readonly port: number;
  /** HTTPS port of the same app (kubectl's endpoint); defaults to 7443, 0 picks a free one. */
  readonly tlsPort?: number;
  readonly inMemory: boolean;
  /** Defaults to 5672, the emulator's port. */
  readonly eventHubsPort?: number;
  /** Defaults to `<projectRoot>/.local`. */
  readonly stateDir?: string;
  readonly components?: readonly StackComponent[];
  readonly log?: (message: string) => void;
  readonly hostLogger?: HostLogger;
  readonly env?: NodeJS.ProcessEnv;
}

export interface RunningStack {
  readonly info: StackInfo;
  readonly host: LocalHost;
  stop(): Promise<void>;
}

export interface StackInfo {
  readonly baseUrl: string;
  /** The web console (functions/console.ts); it asks for the function key once per browser session. */
  readonly consoleUrl: string;
  readonly functionKey: string;
  readonly masterKey: string;
  /** The app's Kubernetes API over HTTPS (`<tlsBaseUrl>/k8s`) and the kubeconfig file for it. */
  readonly kubernetesServer?: string;
  readonly kubeconfig?: string;
  readonly storageConnectionString?: string;
  readonly [component: string]: unknown;
}

export async function startStack(options: StackOptions): Promise<RunningStack> {
  const stateDir = options.stateDir ?? join(options.projectRoot, '.local');
  mkdirSync(stateDir, { recursive: true });
  const log = options.log ?? (() => undefined);
  const started: StartedComponent[] = [];
  let provided: Record<string, string> = { ...baseSettings };
  let info: Record<string, unknown> = {};
  let host: LocalHost | undefined;
  const stackFile = join(stateDir, 'stack.json');

  const stop = async () => {
    rmSync(stackFile, { force: true });
    await host?.stop();
    // In parallel: each child gets the same grace period, so the whole stop stays within 5 s.
    await Promise.all(started.map((component) => component.stop()));
  };

  try {
    for (const component of options.components ?? defaultComponents) {
      const startedAt = performance.now();
      const running = await component.start({ stateDir, inMemory: options.inMemory, eventHubsPort: options.eventHubsPort ?? 5672, settings: provided, log });
      log(`${component.name} ready in ${((performance.now() - startedAt) / 1000).toFixed(1)}s`);
      started.push(running);
      provided = { ...provided, ...running.settings };
      info = { ...info, ...running.stackInfo };
    }
    const keys = loadOrCreateKeys(join(stateDir, 'keys.json'));
    const appSecrets = loadOrCreateAppSecrets(join(stateDir, 'app-secrets.json'));
    // The Kubernetes surface checks bearer tokens itself (anonymous route): locally the function key is the token.
    const settings = {
      KUBERNETES_API_KEY: keys.functionKey,
      ...mergeSettings({ ...appSecrets, ...provided }, readLocalSettingsFile(join(options.projectRoot, 'local.settings.json')), options.env ?? process.env),
    };
    // The app reads its settings when a function first runs (shared/http/lazyHandlers.ts), so a bad
    // one would surface only then; `npm start` checks them up front and refuses to start, naming them.
    loadSettings(settings);
    const tls = ensureTlsMaterial(join(stateDir, 'tls'), []);
    host = await startLocalHost({
      scriptRoot: options.projectRoot,
      settings,
      port: options.port,
      tls: { cert: tls.cert, key: tls.key, port: options.tlsPort ?? 7443 },
      keys,
      ...(options.hostLogger ? { logger: options.hostLogger } : {}),
    });
    const kubernetesServer = `${host.tlsBaseUrl}/k8s`;
    const kubeconfig = join(stateDir, 'kubeconfig');
    writeKubeconfig(kubeconfig, { server: kubernetesServer, caPem: tls.ca, token: settings.KUBERNETES_API_KEY });
    const stackInfo: StackInfo = { ...info, baseUrl: host.baseUrl, consoleUrl: `${host.baseUrl}/console/`, functionKey: keys.functionKey, masterKey: keys.masterKey, kubernetesServer, kubeconfig };
    writeFileSync(stackFile, JSON.stringify(stackInfo, null, 2), { mode: 0o600 });
    return { info: stackInfo, host, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
