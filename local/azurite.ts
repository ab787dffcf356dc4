// Launches Azurite (from its npm package) as a child process. Ports default to
// 0 so the OS picks free ones; the bound ports are read from Azurite's output.
//
// Stopping flushes: Azurite keeps its metadata in LokiJS databases that autosave
// every 5 s; on SIGINT or SIGTERM it closes each service, and closing a LokiJS
// database saves it when dirty (azurite dist/src/azurite.js shutdown(), then
// Loki*MetadataStore.close() -> Loki.prototype.close). Azurite never exits by
// itself afterwards (its parent here holds stdin open, see orphanGuard), and a
// second signal while closing makes close() reject ("Cannot close server in
// status Closing"), which kills it mid-save. So Azurite runs in its own process
// group (a terminal's Ctrl-C does not reach it), stop() sends one SIGTERM, waits
// for all three "successfully closed" lines, then closes stdin so it exits;
// SIGKILL only if that never comes.
import { mkdirSync } from 'node:fs';
import { spawnNode } from './childProcess';

/** Azurite's well-known development account (public, documented by Microsoft). */
export const AZURITE_ACCOUNT = 'devstoreaccount1';
export const AZURITE_KEY =
  'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

export interface AzuriteOptions {
  /** Folder for persistent data; without it data lives in memory. */
  readonly location?: string;
  readonly blobPort?: number;
  readonly queuePort?: number;
  readonly tablePort?: number;
  readonly host?: string;
  readonly startTimeoutMs?: number;
}

export interface AzuriteHandle {
  readonly connectionString: string;
  readonly blobEndpoint: string;
  readonly tableEndpoint: string;
  readonly queueEndpoint: string;
  /** Flushes Azurite's databases and waits for it to exit (SIGKILL after graceMs). */
  stop(graceMs?: number): Promise<void>;
}

export class PortInUseError extends Error {
  constructor(readonly service: string, readonly port: number) {
    super(`Port ${port} needed by ${service} is already in use. Stop whatever holds it, or choose another port.`);
    this.name = 'PortInUseError';
  }
}

export function azuriteConnectionString(host: string, ports: { blob: number; queue: number; table: number }): string {
  const base = (port: number) => `http://${host}:${port}/${AZURITE_ACCOUNT}`;
  return [
    'DefaultEndpointsProtocol=http',
    `AccountName=${AZURITE_ACCOUNT}`,
    `AccountKey=${AZURITE_KEY}`,
    `BlobEndpoint=${base(ports.blob)}`,
    `QueueEndpoint=${base(ports.queue)}`,
    `TableEndpoint=${base(ports.table)}`,
  ].join(';');
}

export async function startAzurite(options: AzuriteOptions = {}): Promise<AzuriteHandle> {
  const host = options.host ?? '127.0.0.1';
  const script = require.resolve('azurite/dist/src/azurite.js');
  const args = [
    '--blobHost', host, '--queueHost', host, '--tableHost', host,
    '--blobPort', String(options.blobPort ?? 0),
    '--queuePort', String(options.queuePort ?? 0),
    '--tablePort', String(options.tablePort ?? 0),
    '--skipApiVersionCheck', '--loose', '--disableTelemetry', '--silent',
  ];
  if (options.location) {
    mkdirSync(options.location, { recursive: true });
    args.push('--location', options.location);
  } else {
    args.push('--inMemoryPersistence', '--extentMemoryLimit', '512');
  }

  const ports: Partial<Record<'blob' | 'queue' | 'table', number>> = {};
  const output: string[] = [];
  const closed = new Set<string>();
  let stopping: Promise<void> | undefined;
  let onClosed: (() => void) | undefined;
  let settle: ((error?: Error) => void) | undefined;
  const ready = new Promise<void>((resolve, reject) => {
    settle = (error) => (error ? reject(error) : resolve());
  });
  const child = spawnNode({
    name: 'azurite',
    script,
    args,
    ownProcessGroup: true,
    onLine(line) {
      output.push(line);
      if (output.length > 50) output.shift();
      const done = /^Azurite (Blob|Queue|Table) service successfully closed/.exec(line);
      if (done?.[1]) {
        closed.add(done[1]);
        if (closed.size === 3) onClosed?.();
      }
      const listening = /Azurite (Blob|Queue|Table) service is successfully listening at https?:\/\/[^:]+:(\d+)/.exec(line);
      if (listening?.[1] && listening[2]) {
        ports[listening[1].toLowerCase() as 'blob' | 'queue' | 'table'] = Number(listening[2]);
        if (ports.blob && ports.queue && ports.table) settle?.();
      }
      const inUse = /EADDRINUSE.*?:(\d+)/.exec(line);
      if (inUse?.[1]) settle?.(new PortInUseError('Azurite', Number(inUse[1])));
    },
  });
  child.process.once('exit', (code) =>
    settle?.(new Error(`Azurite exited (code ${code}) before it was ready:\n${output.join('\n')}`)),
  );
  const timeout = setTimeout(
    () => settle?.(new Error(`Azurite was not ready within ${options.startTimeoutMs ?? 30000} ms`)),
    options.startTimeoutMs ?? 30000,
  );
  try {
    await ready;
  } catch (error) {
    await child.stop();
    throw error;
  } finally {
    clearTimeout(timeout);
  }
  const bound = { blob: ports.blob!, queue: ports.queue!, table: ports.table! };
  return {
    connectionString: azuriteConnectionString(host, bound),
    blobEndpoint: `http://${host}:${bound.blob}/${AZURITE_ACCOUNT}`,
    queueEndpoint: `http://${host}:${bound.queue}/${AZURITE_ACCOUNT}`,
    tableEndpoint: `http://${host}:${bound.table}/${AZURITE_ACCOUNT}`,
    stop(graceMs = 3000) {
      stopping ??= (async () => {
        const proc = child.process;
        if (proc.exitCode !== null || proc.signalCode !== null) return;
        const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
        const flushed = new Promise<void>((resolve) => (onClosed = resolve));
        proc.kill('SIGTERM');
        const timer = setTimeout(() => proc.kill('SIGKILL'), graceMs);
        await Promise.race([flushed, exited]);
        proc.stdin?.end();
        await exited;
        clearTimeout(timer);
      })();
      return stopping;
    },
  };
}
