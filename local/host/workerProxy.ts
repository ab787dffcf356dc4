// HTTP streams: with `app.setup({ enableHttpStream: true })` the worker reports
// an `HttpUri` (capabilities.ts), and the host forwards the client's raw request
// there, tagged `x-ms-invocation-id`, while the invocation itself carries no
// HTTP data; the worker writes the response, streamed, on that proxied request.
// This is what Azure's host does: azure-functions-host DefaultHttpProxyService
// forwards with YARP's IHttpForwarder (whose default transforms set
// X-Forwarded-For/-Proto/-Host, which the library needs to rebuild the URL,
// @azure/functions createStreamRequest), and the client's disconnect aborts the
// forward. Bytes go through as they arrive, both ways; nothing is buffered.
import type { Agent, IncomingHttpHeaders, IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { request as httpRequest } from 'node:http';

/** Connection-level headers (RFC 9110 section 7.6.1) are not forwarded, as YARP does not forward them. */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'proxy-authenticate', 'proxy-authorization', 'te', 'trailer', 'trailers', 'transfer-encoding', 'upgrade']);

export interface ForwardOptions {
  /** The worker's `HttpUri`. */
  readonly target: URL;
  readonly invocationId: string;
  readonly proto: 'http' | 'https';
  readonly host: string;
  /** Request bodies above this are refused with 413 (the host's `maxRequestBodySize`), counted as they stream. */
  readonly maxBodyBytes: number;
  readonly agent: Agent;
  /** A forward that failed on its own (the worker's proxy unreachable, or it broke the response off). */
  readonly onError: (error: Error) => void;
}

export interface Forward {
  /** Settles when the client's response has ended or the client has gone away. */
  readonly done: Promise<void>;
  /** Tears the forward down, for an invocation that failed or answered nothing; the caller answers the client. */
  abort(): void;
}

function forwardedHeaders(headers: IncomingHttpHeaders): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined && !HOP_BY_HOP.has(name)) out[name] = value;
  }
  return out;
}

export function forwardToWorker(req: IncomingMessage, res: ServerResponse, options: ForwardOptions): Forward {
  let ended = false; // by abort() or the 413: errors after that are our own doing
  const headers = forwardedHeaders(req.headers);
  // Set, not appended: a client cannot choose the URL or invocation the worker sees (YARP's default `Set` action).
  for (const name of Object.keys(headers)) if (name.startsWith('x-forwarded-')) delete headers[name];
  headers['x-forwarded-proto'] = options.proto;
  headers['x-forwarded-host'] = options.host;
  if (req.socket.remoteAddress) headers['x-forwarded-for'] = req.socket.remoteAddress;
  headers['x-ms-invocation-id'] = options.invocationId;

  const upstream = httpRequest(new URL(req.url ?? '/', options.target), { method: req.method ?? 'GET', headers, agent: options.agent });
  const done = new Promise<void>((resolve) => res.once('close', resolve));

  // The client went away (or the response ended): the worker's side of the request goes too, so a function
  // reading a streamed request body sees it fail.
  res.once('close', () => {
    if (!res.writableFinished) upstream.destroy();
  });
  req.once('close', () => {
    if (!req.complete) upstream.destroy();
  });

  let size = 0;
  const refuseTooLarge = () => {
    ended = true;
    req.removeAllListeners('data');
    req.resume(); // read and drop the rest, so the 413 can be delivered
    upstream.destroy();
    if (!res.headersSent) {
      res.writeHead(413);
      res.end();
    }
  };
  req.on('data', (chunk: Buffer) => {
    size += chunk.length;
    if (size > options.maxBodyBytes) return refuseTooLarge();
    if (!upstream.write(chunk)) req.pause();
  });
  upstream.on('drain', () => req.resume());
  req.once('end', () => {
    if (!ended) upstream.end();
  });

  upstream.once('response', (answer) => {
    if (ended || res.headersSent || res.destroyed) {
      answer.resume();
      return;
    }
    res.writeHead(answer.statusCode ?? 500, forwardedHeaders(answer.headers));
    res.flushHeaders(); // a stream's headers go out before its first chunk, as from Azure
    answer.pipe(res);
    // A response the worker broke off must not look complete to the client.
    answer.once('close', () => {
      if (!answer.complete) res.destroy();
    });
  });
  upstream.on('error', (error) => {
    if (ended || res.destroyed) return;
    options.onError(error);
    if (!res.headersSent) {
      res.writeHead(500);
      res.end();
    } else res.destroy();
  });

  return {
    done,
    abort: () => {
      ended = true;
      upstream.destroy();
    },
  };
}
