// RolloutStatusStore over Table storage: one row per deployment.
import type { TableClient } from '@azure/data-tables';
import type { RolloutStatus, RolloutStatusStore } from '../../services/reconcile/rolloutStatusStore';
import { textProperty } from './chunkedJson';
import { deleteIfPresent, statusOf, tableCall } from './tableErrors';
import { tableReady } from './tableReady';

const ROW = 'status';
type Row = Record<string, unknown>;

const toStatus = (e: Row): RolloutStatus => JSON.parse(textProperty(e.status)) as RolloutStatus;

export function tableRolloutStatusStore(table: TableClient): RolloutStatusStore {
  const ensure = tableReady(table);
  return {
    async get(deploymentId) {
      await ensure();
      try {
        return toStatus(await tableCall('read rollout status', () => table.getEntity<Row>(deploymentId, ROW)));
      } catch (error) {
        if (statusOf(error) === 404) return undefined;
        throw error;
      }
    },
    async all() {
      await ensure();
      const out: RolloutStatus[] = [];
      await tableCall('read rollout status', async () => {
        for await (const e of table.listEntities<Row>()) out.push(toStatus(e));
      });
      return out;
    },
    async put(status) {
      await ensure();
      await tableCall('write rollout status', () => table.upsertEntity({ partitionKey: status.deploymentId, rowKey: ROW, status: JSON.stringify(status) }, 'Replace'));
    },
    async remove(deploymentId) {
      await ensure();
      // Absent: a purge retried after a crash, or a deployment no pass ever judged.
      await deleteIfPresent('delete rollout status', table, deploymentId, ROW);
    },
  };
}
