// Idempotency-Key at the HTTP edge: the key is optional; with one, a retried
// POST returns the first answer (including a deterministic 4xx rejection) and
// is marked `Idempotent-Replayed: true`.
import type { HttpRequest, HttpResponseInit } from '@azure/functions';
import { isAppError } from '../errors';
import { type IdempotencyStore, idempotent, requestHash, validateKey } from '../services/idempotency/idempotency';
import { errorResponse } from './problem';

/** 4xx answers are the request's own fault and would repeat: remember them. Throttling and 5xx are not. */
const remembered = (error: unknown) => isAppError(error) && error.status < 500 && error.status !== 408 && error.status !== 429;

export async function idempotentPost(
  store: IdempotencyStore,
  request: HttpRequest,
  body: Buffer,
  scope: string,
  run: () => Promise<HttpResponseInit>,
): Promise<HttpResponseInit> {
  const header = request.headers.get('idempotency-key');
  if (!header) return run();
  const key = validateKey(header);
  const hash = requestHash([request.method, new URL(request.url).pathname, request.headers.get('content-type') ?? '', body]);
  const result = await idempotent(store, scope, key, hash, async () => {
    let response: HttpResponseInit;
    try {
      response = await run();
    } catch (error) {
      if (!remembered(error)) throw error;
      response = errorResponse(error, new URL(request.url).pathname);
    }
    return { status: response.status ?? 200, headers: (response.headers ?? {}) as Record<string, string>, body: typeof response.body === 'string' ? response.body : '' };
  });
  return { status: result.status, headers: { ...result.headers, ...(result.replayed ? { 'idempotent-replayed': 'true' } : {}) }, body: result.body };
}
