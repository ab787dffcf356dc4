// Starts a Node service of the local stack as a child process and waits for
// the one JSON line it prints when ready (`{"ready":true,...}`). That line can
// hold secrets (connection strings), so it is parsed and never echoed; other
// output is passed to `log` only when it is an error.
import { type ChildHandle, spawnNode } from '../childProcess';

export interface ReadyService<T> {
  readonly child: ChildHandle;
  readonly ready: T;
}

export async function startReadyService<T>(
  name: string,
  script: string,
  args: readonly string[],
  log: (message: string) => void,
  options: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): Promise<ReadyService<T>> {
  const timeoutMs = options.timeoutMs ?? 60000;
  let settle: ((value: T | Error) => void) | undefined;
  const result = new Promise<T | Error>((resolve) => (settle = resolve));
  const stderr: string[] = [];
  const child = spawnNode({
    name,
    script,
    args,
    ...(options.env ? { env: { ...process.env, ...options.env } } : {}),
    onLine(line, stream) {
      if (stream === 'stdout' && line.startsWith('{"ready":true')) {
        settle?.(JSON.parse(line) as T);
        return;
      }
      if (stream === 'stderr') {
        stderr.push(line);
        if (stderr.length > 20) stderr.shift();
        log(`${name}: ${line}`);
      }
    },
  });
  child.process.once('exit', (code) => settle?.(new Error(`${name} exited (code ${code}) before it was ready${stderr.length ? `:\n${stderr.join('\n')}` : ''}`)));
  const timer = setTimeout(() => settle?.(new Error(`${name} was not ready within ${timeoutMs} ms`)), timeoutMs);
  const outcome = await result;
  clearTimeout(timer);
  if (outcome instanceof Error) {
    await child.stop();
    throw outcome;
  }
  return { child, ready: outcome };
}
