// HubStatusStore over Table storage: one partition, so a pass records every
// hub in one transaction (hubs per subscription are far below 100).
import type { TableClient, TransactionAction } from '@azure/data-tables';
import type { HubStatus, HubStatusStore } from '../../services/hubs/hubStatusStore';
import { textProperty } from './chunkedJson';
import { tableCall } from './tableErrors';
import { tableReady } from './tableReady';

const PARTITION = 'hub';

export function tableHubStatusStore(table: TableClient): HubStatusStore {
  const ensure = tableReady(table);
  return {
    async record(statuses) {
      if (!statuses.length) return;
      await ensure();
      const actions = statuses.map((s): TransactionAction => [
        'upsert',
        {
          partitionKey: PARTITION,
          rowKey: s.hub,
          reachable: s.reachable,
          checkedAt: s.checkedAt,
          ...(s.lastContactAt ? { lastContactAt: s.lastContactAt } : {}),
          lastError: s.lastError ?? '',
          ...(s.configurationCount !== undefined ? { configurationCount: s.configurationCount } : {}),
          // Absent when this pass did not count: Merge keeps the last count.
          ...(s.edgeDevices ? { edgeDevices: s.edgeDevices.total, connectedEdgeDevices: s.edgeDevices.connected, edgeDevicesCountedAt: s.edgeDevices.countedAt } : {}),
          // A hub that answered was judged this pass: its fence is set or cleared; a down one keeps what was last seen.
          ...(s.reachable ? { gcFenceReason: s.gcFence?.reason ?? '', gcFenceMessage: s.gcFence?.message ?? '' } : {}),
        },
        // Merge keeps lastContactAt from an earlier pass when the hub is down now.
        'Merge',
      ]);
      for (let i = 0; i < actions.length; i += 100) await tableCall('record hub status', () => table.submitTransaction(actions.slice(i, i + 100)));
    },
    async all() {
      await ensure();
      const out: HubStatus[] = [];
      await tableCall('read hub status', async () => {
        for await (const e of table.listEntities<Record<string, unknown>>({ queryOptions: { filter: `PartitionKey eq '${PARTITION}'` } })) {
          const lastContactAt = textProperty(e.lastContactAt);
          const lastError = textProperty(e.lastError);
          const gcFenceReason = textProperty(e.gcFenceReason);
          const countedAt = textProperty(e.edgeDevicesCountedAt);
          out.push({
            hub: textProperty(e.rowKey),
            reachable: e.reachable === true,
            checkedAt: textProperty(e.checkedAt),
            ...(lastContactAt ? { lastContactAt } : {}),
            ...(lastError ? { lastError } : {}),
            ...(typeof e.configurationCount === 'number' ? { configurationCount: e.configurationCount } : {}),
            ...(countedAt && typeof e.edgeDevices === 'number' && typeof e.connectedEdgeDevices === 'number' ? { edgeDevices: { total: e.edgeDevices, connected: e.connectedEdgeDevices, countedAt } } : {}),
            ...(gcFenceReason ? { gcFence: { reason: gcFenceReason, message: textProperty(e.gcFenceMessage) } } : {}),
          });
        }
      });
      return out;
    },
  };
}
