// IdempotencyStore over Table storage: PK = scope, RK = sha256 of the key (keys
// may hold characters RowKeys forbid). Create-if-absent is the claim.
import { createHash } from 'node:crypto';
import type { TableClient } from '@azure/data-tables';
import type { IdempotencyRecord, IdempotencyStore } from '../../services/idempotency/idempotency';
import { readChunked, textProperty, writeChunked } from './chunkedJson';
import { statusOf, tableCall } from './tableErrors';
import { tableReady } from './tableReady';

const rowKey = (key: string) => createHash('sha256').update(key).digest('hex');
/** PartitionKeys may not hold / \\ # ? or control characters; scopes like "POST /deployments" do. */
// eslint-disable-next-line no-control-regex -- control characters are exactly what Table keys forbid
const partitionKey = (scope: string) => scope.replace(/[/\\#?\u0000-\u001f\u007f-\u009f]/g, '_');

export function tableIdempotencyStore(table: TableClient): IdempotencyStore {
  const ready = tableReady(table);

  const keys = (scope: string, key: string) => ({ partitionKey: partitionKey(scope), rowKey: rowKey(key) });

  return {
    async claim(scope, key, requestHash, at) {
      await ready();
      try {
        const created = await tableCall('claim idempotency key', () => table.createEntity({ ...keys(scope, key), requestHash, state: 'pending', createdAt: at }));
        return created.etag;
      } catch (error) {
        if (statusOf(error) === 409) return undefined;
        throw error;
      }
    },
    async get(scope, key): Promise<IdempotencyRecord | undefined> {
      try {
        const e = await tableCall('read idempotency key', () => table.getEntity<Record<string, unknown>>(partitionKey(scope), rowKey(key)));
        const response = e.state === 'done' ? readChunked<IdempotencyRecord['response']>('response', e) : undefined;
        return {
          requestHash: textProperty(e.requestHash),
          state: e.state === 'done' ? 'done' : 'pending',
          createdAt: textProperty(e.createdAt),
          version: e.etag,
          ...(response ? { response } : {}),
        };
      } catch (error) {
        if (statusOf(error) === 404) return undefined;
        throw error;
      }
    },
    async takeOver(scope, key, version, requestHash, at) {
      try {
        const replaced = await tableCall('take over idempotency key', () =>
          table.updateEntity({ ...keys(scope, key), requestHash, state: 'pending', createdAt: at }, 'Replace', { etag: version }),
        );
        return replaced.etag;
      } catch (error) {
        if (statusOf(error) === 412 || statusOf(error) === 404) return undefined;
        throw error;
      }
    },
    async complete(scope, key, version, response) {
      try {
        await tableCall('store idempotent response', () => table.updateEntity({ ...keys(scope, key), state: 'done', ...writeChunked('response', response) }, 'Merge', { etag: version }));
        return true;
      } catch (error) {
        // Another request took the record over (412), or it expired and was swept (404).
        if (statusOf(error) === 412 || statusOf(error) === 404) return false;
        throw error;
      }
    },
    async release(scope, key, version) {
      try {
        await tableCall('release idempotency key', () => table.deleteEntity(partitionKey(scope), rowKey(key), { etag: version }));
      } catch (error) {
        if (statusOf(error) !== 404 && statusOf(error) !== 412) throw error;
      }
    },
  };
}
