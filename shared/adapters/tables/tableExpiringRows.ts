// ExpiringRows over any table: a row's age is its Timestamp (set by the
// service on every write), so the sweep needs nothing from the row's schema.
// It reads only the keys, and deletes in entity-group transactions per partition.
import { odata, type TableClient, type TransactionAction } from '@azure/data-tables';
import type { ExpiringRows } from '../../services/reconcile/rowTtl';
import { deleteIfPresent, statusOf, tableCall } from './tableErrors';

export function tableExpiringRows(table: TableClient): ExpiringRows {
  return {
    table: table.tableName,
    async deleteOlderThan(cutoff, limit) {
      const byPartition = new Map<string, string[]>();
      let found = 0;
      try {
        await tableCall(`list expired rows of ${table.tableName}`, async () => {
          const rows = table.listEntities<Record<string, unknown>>({ queryOptions: { filter: odata`Timestamp lt ${cutoff}`, select: ['PartitionKey', 'RowKey'] } });
          for await (const row of rows) {
            const partitionKey = row.partitionKey ?? '';
            const keys = byPartition.get(partitionKey) ?? [];
            keys.push(row.rowKey ?? '');
            byPartition.set(partitionKey, keys);
            if (++found >= limit) break;
          }
        });
      } catch (error) {
        if (statusOf(error) === 404) return 0; // no table yet: nothing expired
        throw error;
      }
      for (const [partitionKey, rowKeys] of byPartition) {
        const actions = rowKeys.map((rowKey): TransactionAction => ['delete', { partitionKey, rowKey }]);
        try {
          await tableCall(`delete expired rows of ${table.tableName}`, () => table.submitTransaction(actions));
        } catch (error) {
          // One row went meanwhile (a concurrent delete) and failed the batch: delete the rest one by one.
          if (statusOf(error) !== 404) throw error;
          for (const rowKey of rowKeys) await deleteIfPresent(`delete expired row of ${table.tableName}`, table, partitionKey, rowKey);
        }
      }
      return found;
    },
  };
}
