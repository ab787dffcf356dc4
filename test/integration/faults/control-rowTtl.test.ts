// Issue #16 item 8: rows nobody cleaned up are removed by reconcile passes:
// the configmetrics rows of a purged deployment, idempotency records past
// IDEMPOTENCY_TTL_HOURS and dead letters past DEAD_LETTER_TTL_DAYS. Rows age
// by the service's Timestamp, which a test cannot set, so the TTL passes run
// the app's own services (from its composition root, in the host's process)
// with the pass clock moved forward.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { odata, type TableClient } from '@azure/data-tables';
import { reconcilePass } from '../../../shared/services/reconcile/reconcilePass';
import { type AppStack, startAppStack } from '../../helpers/appStack';
import { azuriteTable } from '../../helpers/azuriteTable';

const HOUR = 3600_000;

const deployment = (id: string) => ({
  id,
  hubSelector: { names: ['weu'] },
  target: { condition: "tags.env='staging'" },
  manifest: { modules: { web: { image: 'mcr.microsoft.com/azureiotedge-simulated-temperature-sensor:1.5' } } },
});

async function rows(table: TableClient, partitionKey?: string): Promise<number> {
  let n = 0;
  try {
    for await (const _ of table.listEntities(partitionKey ? { queryOptions: { filter: odata`PartitionKey eq ${partitionKey}` } } : {})) n++;
  } catch (error) {
    if ((error as { statusCode?: number }).statusCode !== 404) throw error;
  }
  return n;
}

describe('rows nobody cleaned up (issue #16 item 8)', () => {
  let stack: AppStack;
  before(async () => {
    stack = await startAppStack({ settings: { IDEMPOTENCY_TTL_HOURS: '24', DEAD_LETTER_TTL_DAYS: '14' } });
  });
  after(async () => stack.stop());

  const reconcile = async () => {
    const response = await stack.api('reconcile', { method: 'POST', key: stack.keys.masterKey });
    assert.equal(response.status, 200);
    return (await response.json()) as { summary: { purged: number; expiredRowsDeleted: number } };
  };

  it('drops the configmetrics rows of a purged deployment in the pass that purges it', async () => {
    const created = await stack.api('deployments', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(deployment('ttl-web')) });
    assert.equal(created.status, 201, await created.text());
    await reconcile(); // records the hub's counts
    const metrics = azuriteTable(stack.azurite, 'configmetrics');
    assert.equal(await rows(metrics, 'ttl-web'), 1, 'the pass recorded the hub’s counts');
    const deleted = await stack.api('deployments/ttl-web', { method: 'DELETE', headers: { 'if-match': '*' } });
    assert.ok(deleted.status < 300, await deleted.text());
    let purged = 0;
    for (let pass = 0; pass < 3 && !purged; pass++) purged = (await reconcile()).summary.purged;
    assert.equal(purged, 1);
    assert.equal(await rows(metrics, 'ttl-web'), 0, 'no metrics row outlives its deployment');
  });

  it('deletes idempotency rows past their TTL and dead letters past theirs, and keeps younger ones', async () => {
    const post = await stack.api('deployments', { method: 'POST', headers: { 'content-type': 'application/json', 'idempotency-key': 'ttl-key' }, body: JSON.stringify(deployment('ttl-keyed')) });
    assert.equal(post.status, 201);
    const idempotency = azuriteTable(stack.azurite, 'idempotency');
    const deadLetters = azuriteTable(stack.azurite, 'healthdeadletters');
    await deadLetters.createTable();
    // A dead letter as ingestion writes one; the sweep reads only keys and Timestamp.
    await deadLetters.createEntity({ partitionKey: 'weu', rowKey: 'ttl-dead-letter', reason: 'test' });
    assert.ok((await rows(idempotency)) >= 1);

    // The app's own services, as the reconcile timer builds them (same process as the host, settings already loaded).
    const { getServices } = await import('../../../shared/composition.js');
    const s = await getServices();
    const passAt = (offsetMs: number) =>
      reconcilePass(s.reconcileLease, { store: s.deployments, configurationFor: s.configurationFor, fleet: s.fleet, metrics: s.metrics, hubStatus: s.hubStatus, rowTtls: s.rowTtls, budgetMs: 30_000, now: () => new Date(Date.now() + offsetMs) });

    const day = await passAt(25 * HOUR);
    assert.ok(day.ran);
    assert.equal(await rows(idempotency), 0, 'idempotency rows older than 24 h are gone');
    assert.equal(await rows(deadLetters), 1, 'a dead letter younger than 14 days stays');
    const fortnight = await passAt(15 * 24 * HOUR);
    assert.ok(fortnight.ran && fortnight.summary.expiredRowsDeleted >= 1);
    assert.equal(await rows(deadLetters), 0, 'dead letters older than 14 days are gone');
  });
});
