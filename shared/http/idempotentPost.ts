// Idempotency at the HTTP edge: a repeated request returns the first answer
// (including a deterministic 4xx rejection), marked `Idempotent-Replayed: true`.
// POSTs opt in with an Idempotency-Key; registry webhooks use their delivery id.
import type { HttpRequest, HttpResponseInit } from '@azure/functions';
import { isAppError } from '../errors';
import { type IdempotencyOptions, type IdempotencyStore, idempotent, type IdempotentRun, requestHash, validateKey } from '../services/idempotency/idempotency';
import { errorResponse } from './problem';

/** 4xx answers are the request's own fault and would repeat: remember them. Throttling and 5xx are not. */
const remembered = (error: unknown) => isAppError(error) && error.status < 500 && error.status !== 408 && error.status !== 429;

/** Runs `run` once per (scope, key); a repeat with the same `hash` gets the stored answer. */
export async function rememberedResponse(
  store: IdempotencyStore,
  scope: string,
  key: string,
  hash: string,
  instance: string,
  run: (request: IdempotentRun) => Promise<HttpResponseInit>,
  options: IdempotencyOptions = {},
): Promise<HttpResponseInit> {
  const result = await idempotent(
    store,
    scope,
    key,
    hash,
    async (request) => {
      let response: HttpResponseInit;
      try {
        response = await run(request);
      } catch (error) {
        if (!remembered(error)) throw error;
        response = errorResponse(error, instance);
      }
      return { status: response.status ?? 200, headers: (response.headers ?? {}) as Record<string, string>, body: typeof response.body === 'string' ? response.body : '' };
    },
    options,
  );
  return { status: result.status, headers: { ...result.headers, ...(result.replayed ? { 'idempotent-replayed': 'true' } : {}) }, body: result.body };
}

export async function idempotentPost(
  store: IdempotencyStore,
  request: HttpRequest,
  body: Buffer,
  scope: string,
  run: (request: Partial<IdempotentRun>) => Promise<HttpResponseInit>,
  options: IdempotencyOptions = {},
): Promise<HttpResponseInit> {
  const header = request.headers.get('idempotency-key');
  if (!header) return run({});
  const key = validateKey(header);
  const path = new URL(request.url).pathname;
  const hash = requestHash([request.method, path, request.headers.get('content-type') ?? '', body]);
  return rememberedResponse(store, scope, key, hash, path, run, options);
}
