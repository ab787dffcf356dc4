// Creates a table the first time a store needs it, once per client. A failed
// attempt (storage unreachable at that moment) is forgotten, so the next call
// tries again instead of failing for the life of the instance.
import type { TableClient } from '@azure/data-tables';
import { tableCall } from './tableErrors';

export function tableReady(table: TableClient): () => Promise<void> {
  let ready: Promise<void> | undefined;
  return () =>
    (ready ??= tableCall('create table', () => table.createTable()).catch((error: unknown) => {
      ready = undefined;
      throw error;
    }));
}
