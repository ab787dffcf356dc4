// Starting and stopping the local stack's child processes, so that none is
// ever left running: each runs under orphanGuard, and stop() escalates to
// SIGKILL after a grace period.
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';

export interface ChildHandle {
  readonly name: string;
  readonly process: ChildProcess;
  /** Resolves when the child has exited. */
  stop(graceMs?: number): Promise<void>;
}

export interface SpawnNodeOptions {
  readonly name: string;
  readonly script: string;
  readonly args?: readonly string[];
  readonly env?: NodeJS.ProcessEnv;
  /** Called for every line the child writes to stdout or stderr. */
  readonly onLine?: (line: string, stream: 'stdout' | 'stderr') => void;
  /**
   * Run in a process group of its own, so a terminal's Ctrl-C (sent to the whole
   * foreground group) does not reach it: only its parent's stop() does, once.
   */
  readonly ownProcessGroup?: boolean;
}

export function spawnNode(options: SpawnNodeOptions): ChildHandle {
  const guard = join(__dirname, 'orphanGuard.js');
  const child = spawn(process.execPath, [guard, options.script, ...(options.args ?? [])], {
    stdio: ['pipe', 'pipe', 'pipe'],
    env: options.env ?? process.env,
    ...(options.ownProcessGroup ? { detached: true } : {}),
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  for (const stream of ['stdout', 'stderr'] as const) {
    let buffered = '';
    child[stream]?.setEncoding('utf8').on('data', (chunk: string) => {
      buffered += chunk;
      let nl: number;
      while ((nl = buffered.indexOf('\n')) >= 0) {
        options.onLine?.(buffered.slice(0, nl).replace(/\r$/, ''), stream);
        buffered = buffered.slice(nl + 1);
      }
    });
  }
  return {
    name: options.name,
    process: child,
    async stop(graceMs = 2500) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}
