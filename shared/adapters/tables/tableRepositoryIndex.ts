// RepositoryIndex over Table storage: PK = the repository (`/` written as `|`,
// which no image name holds, since PartitionKeys may not hold `/`), RK = the
// deployment id, `revision` = the highest revision recorded. The completeness
// marker is one row of its own partition in the same table, so it goes with
// the rows when the table goes.
import { odata, type TableClient } from '@azure/data-tables';
import { AppError } from '../../errors';
import type { RepositoryIndex, RepositoryIndexEntry } from '../../services/registry/repositoryIndex';
import { textProperty } from './chunkedJson';
import { statusOf, tableCall } from './tableErrors';
import { tableReady } from './tableReady';

const partitionKey = (repository: string) => repository.replaceAll('/', '|');
/** `!` sorts before every repository name and starts none. */
const MARKER = { partitionKey: '!index', rowKey: 'complete' } as const;
/** Compare-and-set rounds against other writers of the same row before giving the request back as retryable. */
const MAX_ROUNDS = 5;

export function tableRepositoryIndex(table: TableClient): RepositoryIndex {
  const ready = tableReady(table);

  /** One row up to at least `revision`: insert if absent, raise if lower (ETag-guarded), leave if higher. */
  async function raise(repository: string, deploymentId: string, revision: number): Promise<void> {
    const key = { partitionKey: partitionKey(repository), rowKey: deploymentId };
    for (let round = 0; round < MAX_ROUNDS; round++) {
      let current: { revision: number; etag: string } | undefined;
      try {
        const e = await tableCall('read repository index', () => table.getEntity<{ revision: number }>(key.partitionKey, key.rowKey));
        current = { revision: Number(e.revision), etag: e.etag };
      } catch (error) {
        if (statusOf(error) !== 404) throw error;
      }
      try {
        if (!current) await tableCall('write repository index', () => table.createEntity({ ...key, revision }));
        else if (current.revision < revision) await tableCall('write repository index', () => table.updateEntity({ ...key, revision }, 'Replace', { etag: current.etag }));
        return;
      } catch (error) {
        const status = statusOf(error);
        if (status !== 409 && status !== 412 && status !== 404) throw error; // someone else wrote (or removed) it: read again
        // The table itself is gone (deleted after this instance created it): make it again; the marker went with it.
        if (status === 404 && !current) await tableCall('create table', () => table.createTable());
      }
    }
    throw new AppError('RepositoryIndexBusy', 503, `the repository index row of '${deploymentId}' for ${repository} kept changing`, { retryable: true, retryAfterSeconds: 1 });
  }

  return {
    async record(deploymentId, revision, repositories) {
      if (!repositories.length) return;
      await ready();
      await Promise.all(repositories.map((r) => raise(r, deploymentId, revision)));
    },
    async lookup(repository) {
      try {
        await tableCall('read repository index marker', () => table.getEntity(MARKER.partitionKey, MARKER.rowKey));
      } catch (error) {
        if (statusOf(error) === 404) return undefined; // never built, or the table was lost
        throw error;
      }
      const entries: RepositoryIndexEntry[] = [];
      const rows = table.listEntities<{ revision: number }>({ queryOptions: { filter: odata`PartitionKey eq ${partitionKey(repository)}` } });
      try {
        await tableCall('read repository index', async () => {
          for await (const e of rows) {
            entries.push({ deploymentId: textProperty(e.rowKey), revision: Number(e.revision), etag: e.etag, writtenAt: textProperty(e.timestamp) });
          }
        });
      } catch (error) {
        if (statusOf(error) === 404) return undefined; // the table went after the marker was read
        throw error;
      }
      return entries;
    },
    async remove(repository, entry) {
      try {
        await tableCall('remove repository index row', () => table.deleteEntity(partitionKey(repository), entry.deploymentId, { etag: entry.etag }));
        return true;
      } catch (error) {
        const status = statusOf(error);
        if (status === 412 || status === 404) return false;
        throw error;
      }
    },
    async markComplete(at) {
      await ready();
      const write = () => tableCall('write repository index marker', () => table.upsertEntity({ ...MARKER, builtAt: at }, 'Replace'));
      try {
        await write();
      } catch (error) {
        if (statusOf(error) !== 404) throw error;
        await tableCall('create table', () => table.createTable()); // the table went since this instance made it
        await write();
      }
    },
  };
}
