// MetricsStore over Table storage: PK = deployment, RK = hub, so a status read
// is one partition query and a pass writes one transaction per deployment.
import { odata, type TableClient, type TransactionAction } from '@azure/data-tables';
import type { ConfigurationMetrics, MetricsStore } from '../../services/deployments/metricsStore';
import { textProperty } from './chunkedJson';
import { tableCall } from './tableErrors';
import { tableReady } from './tableReady';

type Row = Record<string, unknown> & { partitionKey?: string; rowKey?: string };

const toMetrics = (e: Row): ConfigurationMetrics => ({
  deploymentId: textProperty(e.partitionKey),
  hub: textProperty(e.rowKey),
  configurationId: textProperty(e.configurationId),
  counts: JSON.parse(textProperty(e.counts) || '{}') as Record<string, number>,
  ...(e.custom ? { custom: JSON.parse(textProperty(e.custom)) as Record<string, number> } : {}),
  observedAt: textProperty(e.observedAt),
});

export function tableMetricsStore(table: TableClient): MetricsStore {
  const ensure = tableReady(table);
  const query = async (filter?: string) => {
    await ensure();
    const rows: ConfigurationMetrics[] = [];
    await tableCall('read configuration metrics', async () => {
      for await (const e of table.listEntities<Row>(filter ? { queryOptions: { filter } } : {})) rows.push(toMetrics(e));
    });
    return rows;
  };
  return {
    async record(metrics) {
      if (!metrics.length) return;
      await ensure();
      const byDeployment = new Map<string, TransactionAction[]>();
      for (const m of metrics) {
        const actions = byDeployment.get(m.deploymentId) ?? [];
        actions.push(['upsert', { partitionKey: m.deploymentId, rowKey: m.hub, configurationId: m.configurationId, counts: JSON.stringify(m.counts), custom: m.custom ? JSON.stringify(m.custom) : '', observedAt: m.observedAt }, 'Replace']);
        byDeployment.set(m.deploymentId, actions);
      }
      for (const actions of byDeployment.values()) {
        for (let i = 0; i < actions.length; i += 100) await tableCall('record configuration metrics', () => table.submitTransaction(actions.slice(i, i + 100)));
      }
    },
    all: () => query(),
    forDeployment: (deploymentId) => query(odata`PartitionKey eq ${deploymentId}`),
    async remove(deploymentId) {
      const rows = await query(odata`PartitionKey eq ${deploymentId}`);
      const actions = rows.map((m): TransactionAction => ['delete', { partitionKey: m.deploymentId, rowKey: m.hub }]);
      for (let i = 0; i < actions.length; i += 100) await tableCall('remove configuration metrics', () => table.submitTransaction(actions.slice(i, i + 100)));
    },
  };
}
