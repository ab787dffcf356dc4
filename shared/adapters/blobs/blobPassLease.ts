// PassLease over a blob lease (the same mechanism the Functions host uses for
// its singleton timers). Leases last 60 s and are renewed while the pass runs
// (and before each of its writes), so a crashed instance blocks the next pass
// for at most a minute. Every call is bounded (`callTimeoutMs`): a hung
// socket makes a renew fail (the pass then stops writing), never hang.
import type { ContainerClient } from '@azure/storage-blob';
import { AppError } from '../../errors';
import type { HeldLease, PassLease } from '../../services/reconcile/passLease';

const LEASE_SECONDS = 60;

const statusOf = (error: unknown) => (error as { statusCode?: number }).statusCode;

export interface BlobPassLeaseOptions {
  /** Longest one blob call (with the client's own retries) may take. */
  readonly callTimeoutMs?: number;
}

export function blobPassLease(container: ContainerClient, blobName: string, options: BlobPassLeaseOptions = {}): PassLease {
  const blob = container.getBlockBlobClient(blobName);
  const bounded = () => ({ abortSignal: AbortSignal.timeout(options.callTimeoutMs ?? 30_000) });
  let ready: Promise<void> | undefined;
  const ensureBlob = () =>
    (ready ??= (async () => {
      await container.createIfNotExists(bounded());
      try {
        await blob.upload('', 0, { conditions: { ifNoneMatch: '*' }, ...bounded() });
      } catch (error) {
        // 409/412: it exists (possibly leased); that is all we need.
        if (statusOf(error) !== 409 && statusOf(error) !== 412) throw error;
      }
    })().catch((error: unknown) => {
      ready = undefined;
      throw new AppError('StorageUnavailable', 503, 'could not prepare the reconcile lease blob', { retryable: true, cause: error });
    }));

  return {
    async tryAcquire(): Promise<HeldLease | undefined> {
      await ensureBlob();
      const lease = blob.getBlobLeaseClient();
      try {
        await lease.acquireLease(LEASE_SECONDS, bounded());
      } catch (error) {
        if (statusOf(error) === 409) return undefined; // LeaseAlreadyPresent
        throw new AppError('StorageUnavailable', 503, 'could not acquire the reconcile lease', { retryable: true, cause: error });
      }
      return {
        async renew() {
          try {
            await lease.renewLease(bounded());
            return true;
          } catch {
            return false;
          }
        },
        async release() {
          try {
            await lease.releaseLease(bounded());
          } catch {
            // It expires by itself within a minute.
          }
        },
      };
    },
  };
}
