// Starts childHostMain.ts: the function app in a process of its own, with its
// own settings, so one test can run two installations side by side.
import { join } from 'node:path';
import { startReadyService } from '../../local/stack/readyLine';

export interface ChildHost {
  readonly baseUrl: string;
  /** Every line it wrote (its function logs are JSON lines after the host's prefix). */
  readonly lines: string[];
  api(path: string, init?: RequestInit & { key?: string }): Promise<Response>;
  stop(): Promise<void>;
}

export async function startChildHost(settings: Record<string, string>): Promise<ChildHost> {
  const keys = { functionKey: 'child-function-key', masterKey: 'child-master-key' };
  const lines: string[] = [];
  const { child, ready } = await startReadyService<{ port: number }>(
    'child-host',
    join(__dirname, 'childHostMain.js'),
    [],
    (line) => lines.push(line),
    { env: { CHILD_HOST_SETTINGS: JSON.stringify(settings), CHILD_HOST_KEYS: JSON.stringify(keys) } },
  );
  let partial = '';
  child.process.stdout?.on('data', (chunk: string | Buffer) => {
    const parts = (partial + chunk.toString()).split('\n');
    partial = parts.pop() ?? '';
    lines.push(...parts);
  });
  const baseUrl = `http://127.0.0.1:${ready.port}/api`;
  return {
    baseUrl,
    lines,
    api: (path, init = {}) => {
      const { key, ...rest } = init;
      const headers = new Headers(rest.headers);
      headers.set('x-functions-key', key === 'master' ? keys.masterKey : (key ?? keys.functionKey));
      return fetch(`${baseUrl}/${path.replace(/^\//, '')}`, { ...rest, headers });
    },
    stop: () => child.stop(5000),
  };
}
