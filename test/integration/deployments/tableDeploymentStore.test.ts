import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { TableClient } from '@azure/data-tables';
import { tableDeploymentStore } from '../../../shared/adapters/tables/tableDeploymentStore';
import { isAppError } from '../../../shared/errors';
import type { DeploymentStore, NewRevision } from '../../../shared/services/deployments/deploymentStore';
import { azuriteTable } from '../../helpers/azuriteTable';
import { newRevision } from '../../helpers/revisions';
import { type AzuriteHandle, startAzurite } from '../../../local/azurite';

function revision(id: string, number: number, hubs: string[], extra: { labels?: Record<string, string>; big?: string } = {}): NewRevision {
  return newRevision(id, number, hubs, { labels: { team: 'edge', ...extra.labels }, ...(extra.big ? { env: { BIG: extra.big } } : {}) });
}

const rejectsWith = async (promise: Promise<unknown>, status: number) =>
  assert.rejects(promise, (e: unknown) => isAppError(e) && (e).status === status);

describe('deployment store on Table storage', () => {
  let azurite: AzuriteHandle;
  let store: DeploymentStore;
  before(async () => {
    azurite = await startAzurite();
    store = tableDeploymentStore(azuriteTable(azurite, 'deployments'));
  });
  after(async () => azurite.stop());

  it('creates head, first revision and hub targets together, and refuses the same id twice', async () => {
    const head = await store.create('web', revision('web', 1, ['weu', 'eus']));
    assert.equal(head.currentRevision, 1);
    assert.deepEqual((await store.hubTargets('web')).map((t) => [t.hub, t.desiredRevision, t.state]).sort(), [['eus', 1, 'pending'], ['weu', 1, 'pending']]);
    assert.equal((await store.getRevision('web', 1))?.number, 1);
    assert.equal((await store.getRevision('web', 1))?.targetCondition, "tags.env='prod'");
    await rejectsWith(store.create('web', revision('web', 1, ['weu'])), 409);
  });

  it('appends a revision only from the current one (412 when stale) and retargets hubs no longer selected', async () => {
    await rejectsWith(store.addRevision('web', 7, revision('web', 8, ['weu'])), 412);
    const head = await store.addRevision('web', 1, revision('web', 2, ['weu', 'sea']));
    assert.equal(head.currentRevision, 2);
    const targets = Object.fromEntries((await store.hubTargets('web')).map((t) => [t.hub, t.desiredRevision]));
    assert.deepEqual(targets, { weu: 2, sea: 2, eus: null });
    assert.equal((await store.listRevisions('web', { pageSize: 10 })).items.length, 2);
  });

  it('records a sync result unless the desired revision moved on meanwhile', async () => {
    const at = new Date().toISOString();
    assert.equal(await store.recordSync('web', 'weu', 1, { state: 'applied', at }), false);
    assert.equal(await store.recordSync('web', 'weu', 2, { state: 'applied', at }), true);
    assert.equal(await store.recordSync('web', 'sea', 2, { state: 'pending', at, error: { code: 'HubUnreachable', message: 'down' }, nextAttemptAt: at }), true);
    const targets = Object.fromEntries((await store.hubTargets('web')).map((t) => [t.hub, t]));
    assert.equal(targets.weu?.appliedRevision, 2);
    assert.equal(targets.sea?.attempts, 1);
    assert.equal(targets.sea?.lastError?.code, 'HubUnreachable');
  });

  it('keeps manifests larger than one table property intact', async () => {
    const big = 'm'.repeat(3000);
    const large = revision('large', 1, ['weu'], { big });
    // Beyond what one table property holds (32K characters), though each env value stays under IoT Hub's 4 KB.
    const spec = { ...large.revision, spec: { ...large.revision.spec, labels: Object.fromEntries(Array.from({ length: 400 }, (_, i) => [`k${i}`, 'v'.repeat(120)])) } };
    await store.create('large', { ...large, revision: spec });
    const stored = await store.getRevision('large', 1);
    assert.deepEqual(stored, spec);
    const huge = { ...spec, spec: { ...spec.spec, labels: Object.fromEntries(Array.from({ length: 4000 }, (_, i) => [`k${i}`, 'v'.repeat(120)])) } };
    await rejectsWith(store.create('huge', { ...large, revision: { ...huge, deploymentId: 'huge' } }), 413);
    assert.equal(await store.get('huge'), undefined, 'nothing half-written');
  });

  it('keeps managedFields on the head: written with the revision, carried along by writes that do not name them, replaced only from the current revision', async () => {
    const owned = [{ manager: 'kubectl', operation: 'Apply', apiVersion: 'apps/v1', time: '2026-12-02T10:00:00Z', fieldsType: 'FieldsV1', fieldsV1: { 'f:spec': { 'f:replicas': {} } } }];
    await store.create('owned', { ...revision('owned', 1, ['weu']), managedFields: owned });
    assert.deepEqual((await store.get('owned'))?.managedFields, owned);
    await store.addRevision('owned', 1, revision('owned', 2, ['weu', 'eus']));
    assert.deepEqual((await store.get('owned'))?.managedFields, owned, 'a revision from the REST API leaves them as they are');
    assert.equal(await store.retarget('owned', 2, ['weu']), true);
    assert.deepEqual((await store.get('owned'))?.managedFields, owned, 'rewriting the head keeps them');
    const next = [{ ...owned[0], manager: 'other' }];
    await rejectsWith(store.replaceManagedFields('owned', 1, next), 412);
    await store.replaceManagedFields('owned', 2, next);
    const head = await store.get('owned');
    assert.deepEqual([head?.currentRevision, head?.managedFields], [2, next], 'no new revision');
    await store.addRevision('owned', 2, { ...revision('owned', 3, ['weu']), managedFields: [] });
    assert.equal((await store.get('owned'))?.managedFields, undefined, 'an empty list clears them');
  });

  it('lists deployments by page and label, and hides deleted ones', async () => {
    await store.create('api', revision('api', 1, ['weu'], { labels: { team: 'core' } }));
    const core = await store.list({ pageSize: 50, labels: { team: 'core' } });
    assert.deepEqual(core.items.map((d) => d.id), ['api']);
    const first = await store.list({ pageSize: 1 });
    assert.equal(first.items.length, 1);
    assert.ok(first.continuationToken);
    const second = await store.list({ pageSize: 1, continuationToken: first.continuationToken });
    assert.notEqual(second.items[0]?.id, first.items[0]?.id);

    await store.markDeleted('api', 1, new Date().toISOString());
    assert.deepEqual((await store.list({ pageSize: 50, labels: { team: 'core' } })).items, []);
    assert.deepEqual((await store.hubTargets('api')).map((t) => t.desiredRevision), [null]);
    await store.purge('api');
    assert.equal(await store.get('api'), undefined);
  });

  it('reports a storage outage as a retryable error', async () => {
    const dead = tableDeploymentStore(TableClient.fromConnectionString(azurite.connectionString.replace(/TableEndpoint=http:\/\/127\.0\.0\.1:\d+/, 'TableEndpoint=http://127.0.0.1:9'), 'deployments', { allowInsecureConnection: true, retryOptions: { maxRetries: 0 } }));
    await assert.rejects(dead.get('web'), (e: unknown) => isAppError(e) && e.retryable && e.status === 503);
  });
});
