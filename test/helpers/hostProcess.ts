// A local Functions host in a child process (test/helpers/hostChild.ts): what a
// test needs to run two Function instances against one Event Hub and kill one
// of them mid-stream with SIGKILL, as a crashed instance dies.
import { join } from 'node:path';
import { type ChildHandle, spawnNode } from '../../local/childProcess';
import type { LogEntry } from '../../local/host/invoke';

export interface HostProcess {
  readonly name: string;
  readonly port: number;
  readonly child: ChildHandle;
  readonly logs: LogEntry[];
  /** SIGKILL: no shutdown, no checkpoint, ownership left to expire. */
  kill(): Promise<void>;
  stop(): Promise<void>;
}

export async function startHostProcess(
  name: string,
  options: { settings: Record<string, string>; eventHubLoadBalancing?: { updateIntervalInMs?: number; partitionOwnershipExpirationIntervalInMs?: number } },
  timeoutMs = 60_000,
): Promise<HostProcess> {
  const logs: LogEntry[] = [];
  const stderr: string[] = [];
  let ready: ((port: number | Error) => void) | undefined;
  const started = new Promise<number | Error>((resolve) => (ready = resolve));
  const child = spawnNode({
    name,
    script: join(__dirname, 'hostChild.js'),
    env: { ...process.env, HOST_CHILD_OPTIONS: JSON.stringify(options) },
    onLine(line, stream) {
      if (stream === 'stderr') {
        stderr.push(line);
        if (stderr.length > 30) stderr.shift();
        return;
      }
      if (!line.startsWith('{')) return;
      const message = JSON.parse(line) as { ready?: boolean; port?: number; log?: LogEntry };
      if (message.ready) ready?.(message.port ?? 0);
      else if (message.log) logs.push(message.log);
    },
  });
  const exited = new Promise<void>((resolve) => child.process.once('exit', () => resolve()));
  child.process.once('exit', (code) => ready?.(new Error(`${name} exited (code ${code}) before it was ready:\n${stderr.join('\n')}`)));
  const timer = setTimeout(() => ready?.(new Error(`${name} was not ready within ${timeoutMs} ms`)), timeoutMs);
  const port = await started;
  clearTimeout(timer);
  if (port instanceof Error) {
    await child.stop();
    throw port;
  }
  return {
    name,
    port,
    child,
    logs,
    async kill() {
      if (child.process.exitCode !== null || child.process.signalCode !== null) return;
      child.process.kill('SIGKILL');
      await exited;
    },
    stop: () => child.stop(5000),
  };
}
