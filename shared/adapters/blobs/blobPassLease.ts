// PassLease over a blob lease (the same mechanism the Functions host uses for
// its singleton timers). Leases last 60 s and are renewed while the pass runs,
// so a crashed instance blocks the next pass for at most a minute.
import type { ContainerClient } from '@azure/storage-blob';
import { AppError } from '../../errors';
import type { HeldLease, PassLease } from '../../services/reconcile/passLease';

const LEASE_SECONDS = 60;

const statusOf = (error: unknown) => (error as { statusCode?: number }).statusCode;

export function blobPassLease(container: ContainerClient, blobName: string): PassLease {
  const blob = container.getBlockBlobClient(blobName);
  let ready: Promise<void> | undefined;
  const ensureBlob = () =>
    (ready ??= (async () => {
      await container.createIfNotExists();
      try {
        await blob.upload('', 0, { conditions: { ifNoneMatch: '*' } });
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
        await lease.acquireLease(LEASE_SECONDS);
      } catch (error) {
        if (statusOf(error) === 409) return undefined; // LeaseAlreadyPresent
        throw new AppError('StorageUnavailable', 503, 'could not acquire the reconcile lease', { retryable: true, cause: error });
      }
      return {
        async renew() {
          try {
            await lease.renewLease();
            return true;
          } catch {
            return false;
          }
        },
        async release() {
          try {
            await lease.releaseLease();
          } catch {
            // It expires by itself within a minute.
          }
        },
      };
    },
  };
}
