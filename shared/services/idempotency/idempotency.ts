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
  /** Inserts a pending record; its version, or undefined when one exists already. */
  claim(scope: string, key: string, requestHash: string, at: string): Promise<string | undefined>;
  get(scope: string, key: string): Promise<IdempotencyRecord | undefined>;
  /** Replaces the record if it is still at `version`: the new version, or undefined when someone else got there first. */
  takeOver(scope: string, key: string, version: string, requestHash: string, at: string): Promise<string | undefined>;
  /** Stores the answer if the record is still at `version` (our claim); false when another request took it over. */
  complete(scope: string, key: string, version: string, response: StoredResponse): Promise<boolean>;
  /** Forgets our claim, if it is still ours. */
  release(scope: string, key: string, version: string): Promise<void>;
}

export interface IdempotencyOptions {
  /** Keys are remembered this long (24 h, as payment APIs do). */
  readonly ttlMs?: number;
  /**
   * A pending record older than this belongs to a request that died; a retry
   * may take over. A request that was only slow stays correct: its answer is
   * stored only while the record is still its own, and the work itself must
   * recognise its own earlier attempt by `requestId` (createDeployment does).
   */
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

/** What `run` is told about the request it runs for. */
export interface IdempotentRun {
  /** Stable across retries of one request (same scope, key and body), distinct for anything else. */
  readonly requestId: string;
}

export async function idempotent(
  store: IdempotencyStore,
  scope: string,
  key: string,
  hash: string,
  run: (request: IdempotentRun) => Promise<StoredResponse>,
  options: IdempotencyOptions = {},
): Promise<IdempotentResult> {
  const now = options.now ?? (() => new Date());
  const ttl = options.ttlMs ?? 24 * 3600_000;
  const stale = options.staleAfterMs ?? 60_000;
  const at = now().toISOString();

  let version = await store.claim(scope, key, hash, at);
  if (version === undefined) {
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
    version = existing ? await store.takeOver(scope, key, existing.version, hash, at) : undefined;
    if (version === undefined) {
      throw new AppError('RequestInProgress', 409, 'a request with this Idempotency-Key is in progress', { retryable: true, retryAfterSeconds: 1 });
    }
  }

  let response: StoredResponse;
  try {
    response = await run({ requestId: requestHash([scope, key, hash]) });
  } catch (error) {
    // A throw means "no answer yet" (storage or hub trouble): forget the claim so a retry can run.
    // If storage is what failed, the claim may stay behind: a retry takes it over once it is stale.
    await store.release(scope, key, version).catch(() => undefined);
    throw error;
  }
  // Not stored when a retry took the record over meanwhile: its answer (to the same request) is the one kept.
  await store.complete(scope, key, version, response);
  return { ...response, replayed: false };
}
