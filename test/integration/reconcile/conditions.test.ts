// Rollout conditions as the reconciler keeps them: real Table stores (Azurite),
// in-memory hubs, and device counts from a stand-in source.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ContainerClient } from '@azure/storage-blob';
import { blobPassLease } from '../../../shared/adapters/blobs/blobPassLease';
import { tableDeploymentStore } from '../../../shared/adapters/tables/tableDeploymentStore';
import { tableRolloutStatusStore } from '../../../shared/adapters/tables/tableRolloutStatusStore';
import type { DeviceCounts } from '../../../shared/domain/rollout/conditions';
import type { DeviceCountsSource } from '../../../shared/services/reconcile/deviceCounts';
import { reconcilePass } from '../../../shared/services/reconcile/reconcilePass';
import { type AzuriteHandle, startAzurite } from '../../../local/azurite';
import { memoryFleet, MemoryHub } from '../../helpers/memoryHub';
import { azuriteTable } from '../../helpers/azuriteTable';
import { buildConfiguration, newRevision } from '../../helpers/revisions';

describe('rollout conditions kept by the reconciler', () => {
  let azurite: AzuriteHandle;
  before(async () => {
    azurite = await startAzurite();
  });
  after(async () => azurite.stop());

  it('sets ProgressDeadlineExceeded when devices stay in progress past the deadline, and Complete once they succeed', async () => {
    const store = tableDeploymentStore(azuriteTable(azurite, 'deployments'));
    const rolloutStatus = tableRolloutStatusStore(azuriteTable(azurite, 'rolloutstatus'));
    const weu = new MemoryHub('weu');
    const fleet = memoryFleet([weu]);
    let counts: DeviceCounts = { succeeded: 1, progressing: 4, failed: 0, offline: 2, unknown: 0 };
    const deviceCounts: DeviceCountsSource = { count: () => Promise.resolve({ byHub: new Map([['weu', counts]]), asOf: null, source: 'health' }) };
    const first = newRevision('web', 1, ['weu']);
    await store.create('web', first);
    let clock = Date.parse(first.revision.createdAt);
    const pass = () =>
      reconcilePass(blobPassLease(new ContainerClient(azurite.connectionString, 'leases'), 'reconcile'), {
        store,
        configurationFor: buildConfiguration,
        fleet,
        budgetMs: 30_000,
        deviceCounts,
        rolloutStatus,
        now: () => new Date(clock),
      });
    const conditions = async () => Object.fromEntries(((await rolloutStatus.get('web'))?.conditions ?? []).map((c) => [c.type, c]));

    await pass();
    assert.equal((await conditions()).Progressing?.reason, 'DevicesApplying');
    clock += 300_000;
    await pass();
    assert.equal((await conditions()).ProgressDeadlineExceeded?.status, 'False', 'still within the 600 s deadline');
    clock += 601_000;
    await pass();
    const stuck = await conditions();
    assert.equal(stuck.ProgressDeadlineExceeded?.status, 'True');
    assert.equal(stuck.Progressing?.reason, 'ProgressDeadlineExceeded');
    assert.equal(stuck.Degraded?.status, 'False', 'offline devices are not failures');

    counts = { succeeded: 5, progressing: 0, failed: 0, offline: 2, unknown: 0 };
    clock += 10_000;
    await pass();
    const done = await conditions();
    assert.equal(done.Complete?.status, 'True');
    assert.equal(done.ProgressDeadlineExceeded?.status, 'False');
  });
});
