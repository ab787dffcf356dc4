// The worker's capabilities, read the way the Node worker reads them: after the
// app's entry points are loaded (azure-functions-nodejs-worker,
// WorkerInitHandler: startApp, then getWorkerCapabilities), so `app.setup()`
// in any file matched by `main` counts. With `app.setup({ enableHttpStream: true })`
// the library starts its HTTP proxy server here and reports its address as `HttpUri`.
import http from 'node:http';
import type { WorkerCapabilities } from './coreTypes';
import { hostState } from './functionsCore';

/** What azure-functions-nodejs-worker (src/app/getWorkerCapabilities.ts) reports before the library adds its own. */
const NODE_WORKER_CAPABILITIES: WorkerCapabilities = {
  RawHttpBodyBytes: 'true',
  RpcHttpTriggerMetadataRemoved: 'true',
  RpcHttpBodyOnly: 'true',
  IgnoreEmptyValuedRpcHttpHeaders: 'true',
  UseNullableValueDictionaryForHttp: 'true',
  WorkerStatus: 'true',
  TypedDataCollection: 'true',
  HandlesWorkerTerminateMessage: 'true',
};

// One worker per process (the library's setup and proxy are process-wide), so
// every host in this process shares one answer, as hosts share one worker.
let reading: Promise<WorkerCapabilities> | undefined;

export function workerCapabilities(): Promise<WorkerCapabilities> {
  return (reading ??= read());
}

async function read(): Promise<WorkerCapabilities> {
  const model = hostState.programmingModel();
  if (!model?.getCapabilities) return { ...NODE_WORKER_CAPABILITIES };
  // In Azure the proxy server lives in the worker process, which ends with the
  // host. Here the worker shares the host's process, so the server the library
  // opens must not keep that process alive after the host stops: it is the
  // server created without options while capabilities are read (the library's
  // `http.createServer()` in setupHttpProxy), and is unref'd.
  const servers: http.Server[] = [];
  const createServer = http.createServer;
  http.createServer = ((...args: unknown[]) => {
    const server = (createServer as (...a: unknown[]) => http.Server)(...args);
    if (args.length === 0) servers.push(server);
    return server;
  });
  try {
    return await model.getCapabilities({ ...NODE_WORKER_CAPABILITIES });
  } finally {
    http.createServer = createServer;
    for (const server of servers) server.unref();
  }
}
