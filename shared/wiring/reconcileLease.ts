// The reconciler's blob lease: the only use of Blob storage in the app, so
// @azure/storage-blob is loaded only by the functions that run a pass.
import { BlobServiceClient } from '@azure/storage-blob';
import { blobPassLease } from '../adapters/blobs/blobPassLease';
import { blobClientOptions, storageCallBoundMs } from '../adapters/storageTimeouts';
import type { Settings } from '../config/settings';
import type { PassLease } from '../services/reconcile/passLease';
import { credentialFor } from './credentials';
import { storageTimeoutsOf } from './storageServices';

export async function buildReconcileLease(settings: Settings): Promise<PassLease> {
  const storage = settings.storage;
  const timeouts = storageTimeoutsOf(settings);
  const blobs =
    storage.kind === 'connectionString'
      ? BlobServiceClient.fromConnectionString(storage.connectionString, blobClientOptions(timeouts))
      : new BlobServiceClient(storage.blobServiceUri, await credentialFor(storage.clientId), blobClientOptions(timeouts));
  return blobPassLease(blobs.getContainerClient('control-plane'), 'reconcile.lease', { callTimeoutMs: storageCallBoundMs(timeouts) });
}
