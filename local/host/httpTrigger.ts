// The HTTP front of the local host: `http://localhost:7071/<routePrefix>/<route>`
// with Azure route templates, methods and function keys, mapped to RPC http
// data so `@azure/functions` builds its HttpRequest exactly as in Azure.
// `POST /admin/functions/<name>` runs a non-HTTP function (master key), as the
// real host's admin API does. With `tls`, the same app is also served over
// HTTPS (as Azure serves it): kubectl sends a bearer token only over TLS.
// An app with HTTP streams on (the worker reported `HttpUri`) is answered
// through the worker's proxy (workerProxy.ts) instead of through RPC http data.
import { randomUUID } from 'node:crypto';
import { Agent, createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { RpcHttpData, RpcTypedData } from './coreTypes';
import type { RegisteredFunction } from './functionsCore';
import { type HostLogger, invoke, triggerBindingName } from './invoke';
import { type AuthLevel, authorized, type HostKeys, presentedKey } from './keys';
import { type CompiledRoute, compileRoute } from './routes';
import { forwardToWorker } from './workerProxy';

/** The real host's default limit (`maxRequestBodySize`); the app enforces its own, smaller one. */
const MAX_BODY_BYTES = 100 * 1024 * 1024;

interface HttpRoute {
  readonly fn: RegisteredFunction;
  readonly route: CompiledRoute;
  readonly methods: ReadonlySet<string>;
  readonly authLevel: AuthLevel;
  readonly triggerName: string;
}

export interface HttpFrontOptions {
  readonly port: number;
  readonly host?: string;
  readonly routePrefix: string;
  readonly keys: HostKeys;
  readonly functions: readonly RegisteredFunction[];
  readonly logger: HostLogger;
  /** Runs a non-HTTP function by name for the admin API; resolves when it has finished. */
  readonly runFunction: (name: string, input: string | undefined) => Promise<boolean>;
  /** Also listen with TLS on `tls.port` (0 picks a free one). */
  readonly tls?: { readonly cert: string; readonly key: string; readonly port: number };
  /** The worker's `HttpUri` capability: HTTP streams are on, requests are forwarded there. */
  readonly workerHttpUri?: URL;
}

export interface HttpFront {
  readonly server: Server;
  readonly port: number;
  /** The HTTPS port, when `tls` was given. */
  readonly tlsPort?: number;
  close(): Promise<void>;
}

export function httpRoutes(functions: readonly RegisteredFunction[]): HttpRoute[] {
  return functions
    .flatMap((fn) => {
      const triggerName = triggerBindingName(fn);
      const trigger = fn.metadata.bindings[triggerName]!;
      if (trigger.type !== 'httpTrigger') return [];
      const methods = (trigger.methods as string[] | undefined) ?? ['GET', 'POST'];
      return [{
        fn,
        triggerName,
        route: compileRoute((trigger.route as string | undefined) ?? fn.metadata.name),
        methods: new Set(methods.map((m) => m.toUpperCase())),
        authLevel: ((trigger.authLevel as string | undefined) ?? 'anonymous').toLowerCase() as AuthLevel,
      }];
    })
    .sort((a, b) => b.route.specificity - a.route.specificity);
}

async function readBody(req: IncomingMessage): Promise<Buffer | 'too-large'> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buf = chunk as Buffer;
    size += buf.length;
    if (size > MAX_BODY_BYTES) return 'too-large';
    chunks.push(buf);
  }
  return Buffer.concat(chunks);
}

function flatHeaders(req: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return headers;
}

/**
 * What the host sends as trigger metadata for a proxied request: with streams on the
 * library takes the request's headers and route parameters from here, not from the
 * RPC http data, which stays empty (azure-functions-host ToRpcHttp skips it when
 * `HttpUri` is set; the binding data holds `Headers`, `Query` and each route parameter).
 */
export function proxiedTriggerMetadata(headers: Record<string, string>, query: URLSearchParams, params: Record<string, string>): Record<string, RpcTypedData> {
  return {
    Headers: { json: JSON.stringify(headers) },
    Query: { json: JSON.stringify(Object.fromEntries(query)) },
    ...Object.fromEntries(Object.entries(params).map(([name, value]) => [name, { string: value }])),
  };
}

function send(res: ServerResponse, status: number, headers: Record<string, string> = {}, body?: Uint8Array | string): void {
  res.writeHead(status, headers);
  res.end(body);
}

export async function startHttpFront(options: HttpFrontOptions): Promise<HttpFront> {
  const routes = httpRoutes(options.functions);
  const prefix = options.routePrefix.replace(/^\/+|\/+$/g, '');
  const workerAgent = new Agent({ keepAlive: true });
  const systemError = (message: string) => options.logger({ level: 'error', category: 'system', functionName: 'host', invocationId: '-', message });

  async function proxied(req: IncomingMessage, res: ServerResponse, route: HttpRoute, params: Record<string, string>, url: URL, target: URL): Promise<void> {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > MAX_BODY_BYTES) return send(res, 413);
    const invocationId = randomUUID();
    const forward = forwardToWorker(req, res, {
      target,
      invocationId,
      proto: url.protocol === 'https:' ? 'https' : 'http',
      host: url.host,
      maxBodyBytes: MAX_BODY_BYTES,
      agent: workerAgent,
      onError: (error) => systemError(`forwarding invocation ${invocationId} to the worker failed: ${String(error)}`),
    });
    const outcome = await invoke(
      route.fn,
      { invocationId, inputData: [{ name: route.triggerName, data: { http: {} } }], triggerMetadata: proxiedTriggerMetadata(flatHeaders(req), url.searchParams, params) },
      options.logger,
    );
    if (!outcome.ok) {
      // The library never answers the proxied request of a failed invocation; the host does (500), as without streams.
      forward.abort();
      if (!res.headersSent) return send(res, 500);
      if (!res.writableFinished) res.destroy();
      return;
    }
    // app.http's `return: output.http()` is what writes the proxied response: nothing returned, nothing written.
    if (outcome.returned === undefined || outcome.returned === null) {
      forward.abort();
      if (!res.headersSent) send(res, 204);
      return;
    }
    await forward.done;
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const host = req.headers.host ?? `localhost:${options.port}`;
    const url = new URL(req.url ?? '/', `${'encrypted' in req.socket ? 'https' : 'http'}://${host}`);
    const method = (req.method ?? 'GET').toUpperCase();
    const path = url.pathname;

    if (path.toLowerCase().startsWith('/admin/functions/') && method === 'POST') {
      if (!authorized('admin', presentedKey(req.headers, url), options.keys)) return send(res, 401);
      const body = await readBody(req);
      if (body === 'too-large') return send(res, 413);
      const input = body.length ? (JSON.parse(body.toString('utf8')) as { input?: string }).input : undefined;
      const found = await options.runFunction(decodeURIComponent(path.slice('/admin/functions/'.length)), input);
      return send(res, found ? 202 : 404);
    }

    const prefixPath = `/${prefix}`;
    if (prefix && !(path === prefixPath || path.toLowerCase().startsWith(`${prefixPath.toLowerCase()}/`))) return send(res, 404);
    const routePath = prefix ? path.slice(prefixPath.length) : path;
    let matched: { route: HttpRoute; params: Record<string, string> } | undefined;
    for (const route of routes) {
      const params = route.route.match(routePath);
      if (params && route.methods.has(method)) {
        matched = { route, params };
        break;
      }
    }
    if (!matched) return send(res, 404);
    const { route, params } = matched;
    if (!authorized(route.authLevel, presentedKey(req.headers, url), options.keys)) return send(res, 401);
    if (options.workerHttpUri) return proxied(req, res, route, params, url, options.workerHttpUri);

    const body = await readBody(req);
    if (body === 'too-large') return send(res, 413);
    const http: RpcHttpData = {
      method,
      url: url.toString(),
      headers: flatHeaders(req),
      query: Object.fromEntries(url.searchParams),
      params,
      ...(body.length ? { body: { bytes: body } } : {}),
    };
    const outcome = await invoke(route.fn, { inputData: [{ name: route.triggerName, data: { http } }] }, options.logger);
    if (!outcome.ok) return send(res, 500);
    const out = outcome.response.returnValue?.http;
    if (!out) return send(res, 204);
    const bytes = out.body?.bytes ?? (out.body?.string !== undefined ? Buffer.from(out.body.string) : undefined);
    send(res, Number(out.statusCode ?? 200), out.headers ?? {}, bytes);
  }

  const listener = (req: IncomingMessage, res: ServerResponse) => {
    handle(req, res).catch((error: unknown) => {
      systemError(`HTTP front failed: ${String(error)}`);
      if (!res.headersSent) send(res, 500);
      else res.destroy();
    });
  };
  const listen = async (server: Server, port: number) => {
    server.keepAliveTimeout = 5000;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, options.host ?? '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    return (server.address() as AddressInfo).port;
  };
  const close = (server: Server) =>
    new Promise<void>((resolve) => {
      if (!server.listening) return resolve();
      server.close(() => resolve());
      server.closeAllConnections();
    });
  const server = createServer(listener);
  const port = await listen(server, options.port);
  let tlsServer: Server | undefined;
  try {
    if (options.tls) tlsServer = createTlsServer({ cert: options.tls.cert, key: options.tls.key }, listener);
    const tlsPort = tlsServer && options.tls ? await listen(tlsServer, options.tls.port) : undefined;
    return {
      server,
      port,
      ...(tlsPort === undefined ? {} : { tlsPort }),
      close: async () => {
        await Promise.all([close(server), ...(tlsServer ? [close(tlsServer)] : [])]);
        workerAgent.destroy();
      },
    };
  } catch (error) {
    await close(server);
    workerAgent.destroy();
    throw error;
  }
}
