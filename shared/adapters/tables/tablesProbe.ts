import type { TableServiceClient } from '@azure/data-tables';
import type { DependencyProbe } from '../../services/readiness/checkDependencies';

/** Reachable and authorized: list one page of tables. */
export function tablesProbe(service: TableServiceClient): DependencyProbe {
  return {
    name: 'tables',
    kind: 'tables',
    async check(signal) {
      const pages = service.listTables().byPage({ maxPageSize: 1 });
      await pages.next();
      signal.throwIfAborted();
    },
  };
}
