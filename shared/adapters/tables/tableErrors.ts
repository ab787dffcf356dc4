// Table SDK errors as AppErrors: the status says what happened, a missing
// status means storage could not be reached (transient: the caller rethrows
// so the host retries).
import type { TableClient } from '@azure/data-tables';
import { AppError } from '../../errors';

export function statusOf(error: unknown): number | undefined {
  const status = (error as { statusCode?: unknown }).statusCode;
  return typeof status === 'number' ? status : undefined;
}

export function storageUnavailable(error: unknown, operation: string): AppError {
  const status = statusOf(error);
  return new AppError('StorageUnavailable', 503, `table storage failed during ${operation}${status ? ` (HTTP ${status})` : ''}`, {
    retryable: true,
    cause: error,
  });
}

/** Runs a table call, mapping unexpected failures; `expected` statuses are returned to the caller to handle. */
export async function tableCall<T>(operation: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof AppError) throw error;
    const status = statusOf(error);
    if (status !== undefined && status < 500 && status !== 408 && status !== 429) throw error;
    throw storageUnavailable(error, operation);
  }
}

/** Deletes a row that may already be gone (a retry after a crash, a row never written): absent is success. */
export async function deleteIfPresent(operation: string, table: TableClient, partitionKey: string, rowKey: string): Promise<void> {
  try {
    await tableCall(operation, () => table.deleteEntity(partitionKey, rowKey));
  } catch (error) {
    if (statusOf(error) !== 404) throw error;
  }
}
