// RolloutStore over Table storage: one row per deployment, its state as
// chunked JSON (the transition history can grow past one property).
import type { TableClient } from '@azure/data-tables';
import type { RolloutState } from '../../domain/rollout/rolloutMachine';
import type { RolloutStore } from '../../services/rollout/rolloutStore';
import { readChunked, writeChunked } from './chunkedJson';
import { deleteIfPresent, statusOf, tableCall } from './tableErrors';
import { tableReady } from './tableReady';

const ROW = 'rollout';
type Row = Record<string, unknown>;

export function tableRolloutStore(table: TableClient): RolloutStore {
  const ensure = tableReady(table);
  return {
    async get(deploymentId) {
      await ensure();
      try {
        const row = await tableCall('read rollout', () => table.getEntity<Row>(deploymentId, ROW));
        return { state: readChunked<RolloutState>('state', row), etag: row.etag };
      } catch (error) {
        if (statusOf(error) === 404) return undefined;
        throw error;
      }
    },
    async put(state, etag) {
      await ensure();
      const entity = { partitionKey: state.deploymentId, rowKey: ROW, revision: state.revision, phase: state.phase, ...writeChunked('state', state) };
      try {
        if (etag) await tableCall('write rollout', () => table.updateEntity(entity, 'Replace', { etag }));
        else await tableCall('create rollout', () => table.createEntity(entity));
        return true;
      } catch (error) {
        const status = statusOf(error);
        if (status === 409 || status === 412) return false;
        throw error;
      }
    },
    async remove(deploymentId) {
      await ensure();
      // Absent: a purge retried after a crash, or a deployment that never rolled out.
      await deleteIfPresent('delete rollout', table, deploymentId, ROW);
    },
  };
}
