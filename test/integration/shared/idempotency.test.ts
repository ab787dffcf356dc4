import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { tableIdempotencyStore } from '../../../shared/adapters/tables/tableIdempotencyStore';
import { AppError, isAppError } from '../../../shared/errors';
import { type IdempotencyStore, idempotent, requestHash } from '../../../shared/services/idempotency/idempotency';
import { type AzuriteHandle, startAzurite } from '../../../local/azurite';
import { azuriteTable } from '../../helpers/azuriteTable';

describe('Idempotency-Key', () => {
  let azurite: AzuriteHandle;
  let store: IdempotencyStore;
  before(async () => {
    azurite = await startAzurite();
    store = tableIdempotencyStore(azuriteTable(azurite, 'idempotency'));
  });
  after(async () => azurite.stop());

  const ok = (body: string) => async () => Promise.resolve({ status: 201, headers: { location: '/x' }, body });

  it('returns the first answer to a retry and does not run the work again', async () => {
    let runs = 0;
    const work = async () => {
      runs++;
      return ok('x'.repeat(100_000))();
    };
    const first = await idempotent(store, 'POST /deployments', 'key-1', requestHash(['a']), work);
    const second = await idempotent(store, 'POST /deployments', 'key-1', requestHash(['a']), work);
    assert.equal(runs, 1);
    assert.equal(first.replayed, false);
    assert.equal(second.replayed, true);
    assert.equal(second.body.length, 100_000);
    assert.deepEqual(second.headers, { location: '/x' });
  });

  it('refuses the same key with a different request', async () => {
    await idempotent(store, 'POST /deployments', 'key-2', requestHash(['a']), ok('a'));
    await assert.rejects(idempotent(store, 'POST /deployments', 'key-2', requestHash(['b']), ok('b')), (e: unknown) => isAppError(e) && e.status === 422);
  });

  it('forgets a failed attempt so a retry can succeed', async () => {
    await assert.rejects(idempotent(store, 'POST /deployments', 'key-3', requestHash(['a']), () => Promise.reject(new AppError('StorageUnavailable', 503, 'down'))));
    const retry = await idempotent(store, 'POST /deployments', 'key-3', requestHash(['a']), ok('second'));
    assert.equal(retry.body, 'second');
  });

  it('answers 409 while the first request is still running, and lets a retry take over a dead one', async () => {
    let clock = Date.parse('2026-11-24T12:00:00Z');
    const now = () => new Date(clock);
    let release!: () => void;
    const slow = idempotent(store, 'POST /deployments', 'key-4', requestHash(['a']), () => new Promise((r) => (release = () => r({ status: 201, headers: {}, body: 'slow' }))), { now });
    await new Promise((r) => setTimeout(r, 50));
    await assert.rejects(idempotent(store, 'POST /deployments', 'key-4', requestHash(['a']), ok('fast'), { now }), (e: unknown) => isAppError(e) && e.status === 409);
    clock += 120_000; // the first request looks dead now
    const takeover = await idempotent(store, 'POST /deployments', 'key-4', requestHash(['a']), ok('takeover'), { now });
    assert.equal(takeover.body, 'takeover');
    release();
    await slow;
  });
});
