// StatusSummaryStore over Table storage: one row per deployment (its own
// partition, so a read is one point query). A 50-hub summary is ~30 KB of
// JSON; chunked like revisions so a large fleet cannot overflow a property.
import type { TableClient } from '@azure/data-tables';
import type { StatusSummary, StatusSummaryStore } from '../../services/deployments/statusSummary';
import { readChunked, textProperty, writeChunked } from './chunkedJson';
import { deleteIfPresent, statusOf, tableCall } from './tableErrors';
import { tableReady } from './tableReady';

const ROW = 'summary';
type Row = Record<string, unknown>;

export function tableStatusSummaryStore(table: TableClient): StatusSummaryStore {
  const ensure = tableReady(table);
  return {
    async get(deploymentId) {
      await ensure();
      try {
        return readChunked<StatusSummary>('summary', await tableCall('read status summary', () => table.getEntity<Row>(deploymentId, ROW)));
      } catch (error) {
        if (statusOf(error) === 404) return undefined;
        throw error;
      }
    },
    async ids() {
      await ensure();
      const out: string[] = [];
      await tableCall('list status summaries', async () => {
        for await (const e of table.listEntities<Row>({ queryOptions: { select: ['PartitionKey'] } })) out.push(textProperty(e.partitionKey));
      });
      return out;
    },
    async put(summary) {
      await ensure();
      await tableCall('write status summary', () => table.upsertEntity({ partitionKey: summary.deploymentId, rowKey: ROW, builtAt: summary.builtAt, ...writeChunked('summary', summary) }, 'Replace'));
    },
    async remove(deploymentId) {
      await ensure();
      await deleteIfPresent('delete status summary', table, deploymentId, ROW);
    },
  };
}
