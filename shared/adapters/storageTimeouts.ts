// Per-try timeouts and bounded retries for the Table and Blob clients. The
// SDKs retry, but wait on a socket for as long as it stays open: a hung
// connection held an invocation for ~10 minutes. Here every try has its own
// timeout; a try that times out is abandoned (its socket destroyed) and
// counts as a retryable network error, and the retries are bounded.
import type { TableServiceClientOptions } from '@azure/data-tables';
import { type PipelinePolicy, RestError } from '@azure/core-rest-pipeline';
import type { StoragePipelineOptions } from '@azure/storage-blob';

export interface StorageTimeouts {
  /** STORAGE_TRY_TIMEOUT_MS: one try, from sending to the response headers. */
  readonly tryTimeoutMs: number;
  /** STORAGE_MAX_RETRIES. */
  readonly maxRetries: number;
}

/** Aborts one try after `ms` and reports it as ETIMEDOUT, which the SDKs' retry policy retries. */
export function perTryTimeoutPolicy(ms: number): PipelinePolicy {
  return {
    name: 'perTryTimeout',
    async sendRequest(request, next) {
      const caller = request.abortSignal;
      const controller = new AbortController();
      const onCallerAbort = () => controller.abort();
      caller?.addEventListener('abort', onCallerAbort, { once: true });
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        controller.abort();
      }, ms);
      request.abortSignal = controller.signal;
      try {
        return await next(request);
      } catch (error) {
        if (!timedOut) throw error;
        throw new RestError(`storage gave no answer within ${ms} ms (${request.method} ${new URL(request.url).pathname})`, { code: 'ETIMEDOUT', request });
      } finally {
        clearTimeout(timer);
        caller?.removeEventListener('abort', onCallerAbort);
        // The retry policy looks at the caller's signal to decide whether the caller gave up: give it back.
        request.abortSignal = caller;
      }
    },
  };
}

/** Options for TableClient / TableServiceClient. */
export function tableClientOptions(t: StorageTimeouts): Pick<TableServiceClientOptions, 'retryOptions' | 'additionalPolicies'> {
  return {
    retryOptions: { maxRetries: t.maxRetries, retryDelayInMs: 200, maxRetryDelayInMs: 2000 },
    additionalPolicies: [{ policy: perTryTimeoutPolicy(t.tryTimeoutMs), position: 'perRetry' }],
  };
}

/**
 * Options for BlobServiceClient. Its tryTimeoutInMs only asks the service to
 * give up (the `timeout` query parameter); the client side is bounded by the
 * abort signal each caller passes (blobPassLease does).
 */
export function blobClientOptions(t: StorageTimeouts): Pick<StoragePipelineOptions, 'retryOptions'> {
  return { retryOptions: { maxTries: t.maxRetries + 1, tryTimeoutInMs: t.tryTimeoutMs, retryDelayInMs: 200, maxRetryDelayInMs: 2000 } };
}

/** The longest one storage call may take with its retries (for callers that bound it with a signal). */
export const storageCallBoundMs = (t: StorageTimeouts) => (t.maxRetries + 1) * t.tryTimeoutMs + t.maxRetries * 2000;
