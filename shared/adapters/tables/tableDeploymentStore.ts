// DeploymentStore over Table storage. One partition per deployment (head,
// revisions, hub targets), so creating a deployment or a revision is a single
// entity-group transaction: nothing is half-written. ETags guard the head
// against concurrent writers.
import { odata, type TableClient, type TableEntityResult, type TransactionAction } from '@azure/data-tables';
import { AppError, conflict, isAppError, notFound, preconditionFailed } from '../../errors';
import { alongsideOf, type DeploymentHead, type DeploymentStore, holdsAssignment, type HubTarget, type Page, type RevisionRecord, type SyncOutcome } from '../../services/deployments/deploymentStore';
import { readChunked, textProperty, writeChunked } from './chunkedJson';
import { statusOf, tableCall } from './tableErrors';

type Entity = TableEntityResult<Record<string, unknown>>;

const HEAD = 'head';
/** The sealed inline registry credentials: ciphertext only (registrySecrets.ts), never a revision's. */
const SECRETS = 'secrets';
const secretsEntity = (id: string, sealed: string) => ({ partitionKey: id, rowKey: SECRETS, sealed });
const revisionKey = (n: number) => `rev-${String(n).padStart(10, '0')}`;
const hubKey = (hub: string) => `hub-${hub}`;
const NO_REVISION = -1;

function headEntity(head: DeploymentHead) {
  return {
    partitionKey: head.id,
    rowKey: HEAD,
    labels: JSON.stringify(head.labels),
    currentRevision: head.currentRevision,
    createdAt: head.createdAt,
    updatedAt: head.updatedAt,
    deletedAt: head.deletedAt ?? '',
    // Replace writes drop what is not written: the head carries its managedFields along on every update.
    ...(head.managedFields?.length ? writeChunked('managedFields', head.managedFields) : {}),
  };
}

function toHead(e: Entity): DeploymentHead {
  return {
    id: textProperty(e.partitionKey),
    labels: JSON.parse(textProperty(e.labels) || '{}') as Record<string, string>,
    currentRevision: Number(e.currentRevision),
    createdAt: textProperty(e.createdAt),
    updatedAt: textProperty(e.updatedAt),
    ...(e.deletedAt ? { deletedAt: textProperty(e.deletedAt) } : {}),
    ...(Number(e.managedFieldsChunks ?? 0) > 0 ? { managedFields: readChunked<unknown[]>('managedFields', e) } : {}),
  };
}

function revisionEntity(r: RevisionRecord) {
  return {
    partitionKey: r.deploymentId,
    rowKey: revisionKey(r.number),
    number: r.number,
    createdAt: r.createdAt,
    ...writeChunked('revision', r),
  };
}

const toRevision = (e: Entity): RevisionRecord => readChunked<RevisionRecord>('revision', e);

function hubEntity(t: HubTarget) {
  return {
    partitionKey: t.deploymentId,
    rowKey: hubKey(t.hub),
    hub: t.hub,
    desiredRevision: t.desiredRevision ?? NO_REVISION,
    state: t.state,
    attempts: t.attempts,
    lastError: t.lastError ? JSON.stringify(t.lastError) : '',
    lastAttemptAt: t.lastAttemptAt ?? '',
    nextAttemptAt: t.nextAttemptAt ?? '',
    appliedRevision: t.appliedRevision ?? NO_REVISION,
    narrowTo: t.narrowTo ?? '',
    alongsideRevision: t.alongsideRevision ?? NO_REVISION,
  };
}

export function toHubTarget(e: Entity): HubTarget {
  const desired = Number(e.desiredRevision);
  const applied = Number(e.appliedRevision);
  const alongside = Number(e.alongsideRevision ?? NO_REVISION);
  return {
    deploymentId: textProperty(e.partitionKey),
    hub: textProperty(e.hub),
    desiredRevision: desired === NO_REVISION ? null : desired,
    state: textProperty(e.state) as HubTarget['state'],
    attempts: Number(e.attempts ?? 0),
    ...(e.lastError ? { lastError: JSON.parse(textProperty(e.lastError)) as { code: string; message: string } } : {}),
    ...(e.lastAttemptAt ? { lastAttemptAt: textProperty(e.lastAttemptAt) } : {}),
    ...(e.nextAttemptAt ? { nextAttemptAt: textProperty(e.nextAttemptAt) } : {}),
    ...(applied !== NO_REVISION ? { appliedRevision: applied } : {}),
    ...(e.narrowTo ? { narrowTo: textProperty(e.narrowTo) } : {}),
    ...(alongside !== NO_REVISION ? { alongsideRevision: alongside } : {}),
  };
}

/** A hub's new pending target for `revision`, narrowed or whole (see HubTarget.narrowTo). */
function assignedTarget(id: string, hub: string, revision: number, narrowTo: string | null | undefined, existing: HubTarget | undefined): HubTarget {
  const target = pendingTarget(id, hub, revision);
  if (!narrowTo) return target;
  const alongside = alongsideOf(existing, revision);
  return { ...target, narrowTo, ...(alongside !== undefined ? { alongsideRevision: alongside } : {}) };
}

const pendingTarget = (deploymentId: string, hub: string, desiredRevision: number | null): HubTarget => ({
  deploymentId,
  hub,
  desiredRevision,
  state: 'pending',
  attempts: 0,
});

export function tableDeploymentStore(table: TableClient): DeploymentStore {
  async function readHead(id: string): Promise<Entity | undefined> {
    try {
      return await tableCall('read deployment', () => table.getEntity<Record<string, unknown>>(id, HEAD));
    } catch (error) {
      if (statusOf(error) === 404) return undefined;
      throw error;
    }
  }

  async function hubRows(id: string): Promise<Entity[]> {
    const rows: Entity[] = [];
    const filter = odata`PartitionKey eq ${id} and RowKey ge 'hub-' and RowKey lt 'hub.'`;
    await tableCall('read hub targets', async () => {
      for await (const row of table.listEntities<Record<string, unknown>>({ queryOptions: { filter } })) rows.push(row);
    });
    return rows;
  }

  async function submit(actions: TransactionAction[], operation: string): Promise<void> {
    try {
      await tableCall(operation, () => table.submitTransaction(actions));
    } catch (error) {
      const status = statusOf(error);
      if (status === 409) throw conflict('a deployment with this id already exists', 'DeploymentExists');
      if (status === 412) throw preconditionFailed('the deployment changed meanwhile; read it again and retry with its new ETag');
      throw error;
    }
  }

  /** Hub rows for a new desired state: selected hubs get the revision (some narrowed), every other known hub gets "remove". */
  function targetActions(id: string, existing: Entity[], hubs: readonly string[], revision: number | null, keep: readonly string[] = [], narrowed: Readonly<Record<string, string>> = {}): TransactionAction[] {
    const wanted = new Set(hubs);
    const kept = new Set(keep);
    const before = new Map(existing.map((row) => [String(row.hub), toHubTarget(row)]));
    const actions: TransactionAction[] = hubs
      .filter((hub) => !kept.has(hub))
      .map((hub) => ['upsert', hubEntity(revision === null ? pendingTarget(id, hub, null) : assignedTarget(id, hub, revision, narrowed[hub], before.get(hub))), 'Replace']);
    for (const row of existing) {
      const hub = String(row.hub);
      if (!wanted.has(hub)) actions.push(['upsert', hubEntity(pendingTarget(id, hub, null)), 'Replace']);
    }
    return actions;
  }

  return {
    async create(id, first) {
      await tableCall('create table', () => table.createTable());
      const now = first.revision.createdAt;
      const head: DeploymentHead = { id, labels: first.labels, currentRevision: first.revision.number, createdAt: now, updatedAt: now, ...(first.managedFields ? { managedFields: first.managedFields } : {}) };
      const existing = await readHead(id);
      if (existing) throw conflict(`deployment '${id}' already exists`, 'DeploymentExists');
      await submit(
        [
          ['create', headEntity(head)],
          ['create', revisionEntity(first.revision)],
          ...(first.secrets ? [['upsert', secretsEntity(id, first.secrets), 'Replace'] as TransactionAction] : []),
          ...targetActions(id, [], first.hubs, first.revision.number, first.keep, first.narrowed),
        ],
        'create deployment',
      );
      return head;
    },

    async addRevision(id, expectedRevision, next) {
      const current = await readHead(id);
      if (!current || current.deletedAt) throw notFound(`deployment '${id}'`, 'DeploymentNotFound');
      const head = toHead(current);
      if (head.currentRevision !== expectedRevision) {
        throw preconditionFailed(`the deployment is at revision ${head.currentRevision}, not ${expectedRevision}`);
      }
      const updated: DeploymentHead = { ...head, labels: next.labels, currentRevision: next.revision.number, updatedAt: next.revision.createdAt, ...(next.managedFields ? { managedFields: next.managedFields } : {}) };
      await submit(
        [
          ['update', headEntity(updated), 'Replace', { etag: current.etag }],
          ['create', revisionEntity(next.revision)],
          ...(next.secrets ? [['upsert', secretsEntity(id, next.secrets), 'Replace'] as TransactionAction] : []),
          ...targetActions(id, await hubRows(id), next.hubs, next.revision.number, next.keep, next.narrowed),
        ],
        'add revision',
      );
      return updated;
    },

    async retarget(id, revision, hubs) {
      const current = await readHead(id);
      if (!current || current.deletedAt || toHead(current).currentRevision !== revision) return false;
      try {
        // The head is rewritten unchanged so its ETag guards the transaction against a concurrent new revision.
        const existing = (await hubRows(id)).map(toHubTarget);
        const wanted = new Set(hubs);
        const has = new Set(existing.filter((t) => t.desiredRevision === revision).map((t) => t.hub));
        // Only hubs that change: newcomers get the revision, leavers get "remove"; the rest keep their sync state.
        const changes: TransactionAction[] = [
          ...hubs.filter((h) => !has.has(h)).map((h): TransactionAction => ['upsert', hubEntity(pendingTarget(id, h, revision)), 'Replace']),
          ...[...has].filter((h) => !wanted.has(h)).map((h): TransactionAction => ['upsert', hubEntity(pendingTarget(id, h, null)), 'Replace']),
        ];
        if (!changes.length) return false;
        await submit([['update', headEntity(toHead(current)), 'Replace', { etag: current.etag }], ...changes], 'retarget hubs');
        return true;
      } catch (error) {
        if (isAppError(error) && error.status === 412) return false;
        throw error;
      }
    },

    async assignHubs(id, revision, hubs) {
      const current = await readHead(id);
      if (!current || current.deletedAt || toHead(current).currentRevision !== revision) return false;
      const existing = new Map((await hubRows(id)).map(toHubTarget).map((t) => [t.hub, t]));
      const changes = hubs
        .filter((a) => !holdsAssignment(existing.get(a.hub), revision, a.narrowTo))
        .map((a): TransactionAction => ['upsert', hubEntity(assignedTarget(id, a.hub, revision, a.narrowTo, existing.get(a.hub))), 'Replace']);
      if (!changes.length) return false;
      try {
        // The unchanged head's ETag guards against a new revision committed meanwhile.
        await submit([['update', headEntity(toHead(current)), 'Replace', { etag: current.etag }], ...changes], 'assign hubs');
        return true;
      } catch (error) {
        if (isAppError(error) && error.status === 412) return false;
        throw error;
      }
    },

    async markDeleted(id, expectedRevision, at) {
      const current = await readHead(id);
      if (!current || current.deletedAt) throw notFound(`deployment '${id}'`, 'DeploymentNotFound');
      const head = toHead(current);
      if (expectedRevision !== undefined && head.currentRevision !== expectedRevision) {
        throw preconditionFailed(`the deployment is at revision ${head.currentRevision}, not ${expectedRevision}`);
      }
      const deleted: DeploymentHead = { ...head, deletedAt: at, updatedAt: at };
      await submit([['update', headEntity(deleted), 'Replace', { etag: current.etag }], ...targetActions(id, await hubRows(id), [], null)], 'delete deployment');
      return deleted;
    },

    async get(id) {
      const entity = await readHead(id);
      return entity ? toHead(entity) : undefined;
    },

    async getRevision(id, revision) {
      try {
        return toRevision(await tableCall('read revision', () => table.getEntity<Record<string, unknown>>(id, revisionKey(revision))));
      } catch (error) {
        if (statusOf(error) === 404) return undefined;
        throw error;
      }
    },

    async listRevisions(id, { pageSize, continuationToken }) {
      const filter = odata`PartitionKey eq ${id} and RowKey ge 'rev-' and RowKey lt 'rev.'`;
      return tableCall('list revisions', async () => {
        const page = await table.listEntities<Record<string, unknown>>({ queryOptions: { filter } }).byPage({ maxPageSize: pageSize, ...(continuationToken ? { continuationToken } : {}) }).next();
        const value = (page.value ?? []) as Entity[] & { continuationToken?: string };
        return { items: value.map(toRevision), ...(value.continuationToken ? { continuationToken: value.continuationToken } : {}) };
      });
    },

    async list({ pageSize, continuationToken, labels, includeDeleted }): Promise<Page<DeploymentHead>> {
      const filter = odata`RowKey eq ${HEAD}`;
      return tableCall('list deployments', async () => {
        await table.createTable();
        const page = await table.listEntities<Record<string, unknown>>({ queryOptions: { filter } }).byPage({ maxPageSize: pageSize, ...(continuationToken ? { continuationToken } : {}) }).next();
        const value = (page.value ?? []) as Entity[] & { continuationToken?: string };
        // Label filters apply within the page, so a page may hold fewer than pageSize items.
        const items = value
          .map(toHead)
          .filter((h) => includeDeleted || !h.deletedAt)
          .filter((h) => Object.entries(labels ?? {}).every(([k, v]) => h.labels[k] === v));
        return { items, ...(value.continuationToken ? { continuationToken: value.continuationToken } : {}) };
      });
    },

    async hubTargets(id) {
      return (await hubRows(id)).map(toHubTarget);
    },

    async desiredState() {
      const heads: DeploymentHead[] = [];
      const targets: HubTarget[] = [];
      // Revisions (the large rows) are left out: the reconciler reads only the ones it needs.
      const filter = odata`RowKey eq ${HEAD} or (RowKey ge 'hub-' and RowKey lt 'hub.')`;
      await tableCall('read desired state', async () => {
        await table.createTable();
        for await (const row of table.listEntities<Record<string, unknown>>({ queryOptions: { filter } })) {
          if (row.rowKey === HEAD) heads.push(toHead(row));
          else targets.push(toHubTarget(row));
        }
      });
      return { heads, targets };
    },

    async recordSync(id, hub, forRevision, outcome: SyncOutcome) {
      for (let attempt = 0; attempt < 3; attempt++) {
        let row: Entity;
        try {
          row = await tableCall('read hub target', () => table.getEntity<Record<string, unknown>>(id, hubKey(hub)));
        } catch (error) {
          if (statusOf(error) === 404) return false;
          throw error;
        }
        const target = toHubTarget(row);
        if (target.desiredRevision !== forRevision) return false;
        const next: HubTarget = {
          ...target,
          state: outcome.state,
          attempts: outcome.state === 'applied' || outcome.state === 'removed' ? 0 : target.attempts + 1,
          lastAttemptAt: outcome.at,
          ...(outcome.state === 'applied' ? { appliedRevision: forRevision ?? undefined } : {}),
        };
        const { lastError: _e, nextAttemptAt: _n, ...rest } = next;
        const entity = hubEntity({
          ...rest,
          ...(outcome.error ? { lastError: outcome.error } : {}),
          ...(outcome.nextAttemptAt ? { nextAttemptAt: outcome.nextAttemptAt } : {}),
        });
        try {
          await tableCall('record hub sync', () => table.updateEntity(entity, 'Replace', { etag: row.etag }));
          return true;
        } catch (error) {
          if (statusOf(error) !== 412) throw error;
        }
      }
      throw new AppError('ConcurrentUpdate', 503, `hub target ${id}/${hub} kept changing while recording a sync`, { retryable: true });
    },

    async secrets(id) {
      try {
        const row = await tableCall('read registry secrets', () => table.getEntity<Record<string, unknown>>(id, SECRETS));
        return textProperty(row.sealed) || undefined;
      } catch (error) {
        if (statusOf(error) === 404) return undefined;
        throw error;
      }
    },

    async replaceSecrets(id, expectedRevision, sealed, metadata = {}) {
      const current = await readHead(id);
      if (!current || current.deletedAt) throw notFound(`deployment '${id}'`, 'DeploymentNotFound');
      const head = toHead(current);
      if (head.currentRevision !== expectedRevision) throw preconditionFailed(`the deployment is at revision ${head.currentRevision}, not ${expectedRevision}`);
      const updated: DeploymentHead = { ...head, updatedAt: new Date().toISOString(), ...(metadata.managedFields ? { managedFields: metadata.managedFields } : {}) };
      // The head's ETag guards the secrets against a revision committed meanwhile.
      await submit([['update', headEntity(updated), 'Replace', { etag: current.etag }], ['upsert', secretsEntity(id, sealed), 'Replace']], 'replace registry secrets');
      return updated;
    },

    async replaceManagedFields(id, expectedRevision, managedFields) {
      const current = await readHead(id);
      if (!current || current.deletedAt) throw notFound(`deployment '${id}'`, 'DeploymentNotFound');
      const head = toHead(current);
      if (head.currentRevision !== expectedRevision) throw preconditionFailed(`the deployment is at revision ${head.currentRevision}, not ${expectedRevision}`);
      const updated: DeploymentHead = { ...head, managedFields };
      // The head's ETag: a revision or another ownership change committed meanwhile is a 412, never a lost write.
      await submit([['update', headEntity(updated), 'Replace', { etag: current.etag }]], 'replace managed fields');
      return updated;
    },

    async purge(id) {
      const rows: Entity[] = [];
      await tableCall('read deployment rows', async () => {
        for await (const row of table.listEntities<Record<string, unknown>>({ queryOptions: { filter: odata`PartitionKey eq ${id}` } })) rows.push(row);
      });
      for (let i = 0; i < rows.length; i += 100) {
        const batch = rows.slice(i, i + 100).map((r): TransactionAction => ['delete', { partitionKey: String(r.partitionKey), rowKey: String(r.rowKey) }]);
        await tableCall('purge deployment', () => table.submitTransaction(batch));
      }
    },
  };
}
