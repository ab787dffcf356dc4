// Idempotency-Key for POST: a retried request (same key, same body) gets the
// first result back and starts nothing new; the same key with another body
// is refused. `run` returns the answer to remember (the HTTP edge turns
// deterministic 4xx rejections into answers); a throw is not remembered, so a
// retry after a transient failure can succeed.
import { createHash } from 'node:crypto';
import { AppError, badRequest } from '../../errors';

export interface StoredResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

export interface IdempotencyRecord {
  readonly requestHash: string;
  readonly state: 'pending' | 'done';
  readonly createdAt: string;
  readonly response?: StoredResponse;
  /** Opaque concurrency token of the stored record. */
  readonly version: string;
}

export interface IdempotencyStore {
  /** Inserts a pending record; false when one exists already. */
  claim(scope: string, key: string, requestHash: string, at: string): Promise<boolean>;
  get(scope: string, key: string): Promise<IdempotencyRecord | undefined>;
  /** Replaces the record if it is still at `version` (false otherwise). */
  takeOver(scope: string, key: string, version: string, requestHash: string, at: string): Promise<boolean>;
  complete(scope: string, key: string, response: StoredResponse): Promise<void>;
  release(scope: string, key: string): Promise<void>;
}

export interface IdempotencyOptions {
  /** Keys are remembered this long (24 h, as payment APIs do). */
  readonly ttlMs?: number;
  /** A pending record older than this belongs to a request that died; a retry may take over. */
  readonly staleAfterMs?: number;
  readonly now?: () => Date;
}

export const requestHash = (parts: readonly (string | Buffer)[]): string => {
  const hash = createHash('sha256');
  for (const p of parts) hash.update(p).update('\0');
  return hash.digest('hex');
};

export function validateKey(key: string): string {
  if (!/^[\x21-\x7e]{1,255}$/.test(key)) {
    throw badRequest('Idempotency-Key must be 1-255 visible ASCII characters', [{ pointer: '', detail: 'invalid Idempotency-Key header' }], 'InvalidIdempotencyKey');
  }
  return key;
}

export type IdempotentResult = StoredResponse & { readonly replayed: boolean };

export async function idempotent(
  store: IdempotencyStore,
  scope: string,
  key: string,
  hash: string,
  run: () => Promise<StoredResponse>,
  options: IdempotencyOptions = {},
): Promise<IdempotentResult> {
  const now = options.now ?? (() => new Date());
  const ttl = options.ttlMs ?? 24 * 3600_000;
  const stale = options.staleAfterMs ?? 60_000;
  const at = now().toISOString();

  if (!(await store.claim(scope, key, hash, at))) {
    const existing = await store.get(scope, key);
    const age = existing ? now().getTime() - Date.parse(existing.createdAt) : Infinity;
    if (existing && age < ttl) {
      if (existing.requestHash !== hash) {
        throw new AppError('IdempotencyKeyReused', 422, 'this Idempotency-Key was already used with a different request', { retryable: false });
      }
      if (existing.state === 'done' && existing.response) return { ...existing.response, replayed: true };
      if (age < stale) {
        throw new AppError('RequestInProgress', 409, 'a request with this Idempotency-Key is still in progress', { retryable: true, retryAfterSeconds: 1 });
      }
    }
    // Expired, or a pending record whose request died: take it over, unless someone else just did.
    if (!existing || !(await store.takeOver(scope, key, existing.version, hash, at))) {
      throw new AppError('RequestInProgress', 409, 'a request with this Idempotency-Key is in progress', { retryable: true, retryAfterSeconds: 1 });
    }
  }

  try {
    const response = await run();
    await store.complete(scope, key, response);
    return { ...response, replayed: false };
  } catch (error) {
    // A throw means "no answer yet" (storage or hub trouble): forget the claim so a retry can run.
    await store.release(scope, key);
    throw error;
  }
}
