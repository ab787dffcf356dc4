// Fan-out over the real Table store (Azurite) and in-memory hubs; the same
// path against the IoT Hub simulator lives in the deployments API tests.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { tableDeploymentStore } from '../../../shared/adapters/tables/tableDeploymentStore';
import { AppError } from '../../../shared/errors';
import type { DeploymentStore } from '../../../shared/services/deployments/deploymentStore';
import { fanOut } from '../../../shared/services/deployments/fanOut';
import { type AzuriteHandle, startAzurite } from '../../../local/azurite';
import { memoryFleet, MemoryHub } from '../../helpers/memoryHub';
import { azuriteTable } from '../../helpers/azuriteTable';
import { buildConfiguration, newRevision } from '../../helpers/revisions';

const fleet = (hubs: MemoryHub[]) => memoryFleet(hubs);

describe('fan-out to regional hubs', () => {
  let azurite: AzuriteHandle;
  let store: DeploymentStore;
  before(async () => {
    azurite = await startAzurite();
    store = tableDeploymentStore(azuriteTable(azurite, 'deployments'));
  });
  after(async () => azurite.stop());

  it('applies to every reachable hub and leaves a hub that is down pending with a time to retry', async () => {
    const [weu, eus, sea] = [new MemoryHub('weu'), new MemoryHub('eus'), new MemoryHub('sea')];
    sea.failNext = { count: 100, error: new AppError('HubUnreachable', 503, 'connect ECONNREFUSED') };
    await store.create('web', newRevision('web', 1, ['weu', 'eus', 'sea']));
    const now = new Date('2026-11-24T12:00:00Z');
    const outcomes = await fanOut('web', await store.hubTargets('web'), { store, configurationFor: buildConfiguration, fleet: fleet([weu, eus, sea]), now: () => now });
    assert.deepEqual(Object.fromEntries(outcomes.map((o) => [o.hub, o.result.state])), { weu: 'applied', eus: 'applied', sea: 'pending' });
    const sea1 = (await store.hubTargets('web')).find((t) => t.hub === 'sea')!;
    assert.equal(sea1.state, 'pending');
    assert.equal(sea1.attempts, 1);
    assert.ok(Date.parse(sea1.nextAttemptAt!) > now.getTime());
    assert.ok(weu.configs.has('web-r1') && eus.configs.has('web-r1') && !sea.configs.has('web-r1'));
  });

  it('moves hubs to a new revision and removes it from hubs no longer selected', async () => {
    const [weu, eus] = [new MemoryHub('weu'), new MemoryHub('eus')];
    await store.create('api', newRevision('api', 1, ['weu', 'eus']));
    await fanOut('api', await store.hubTargets('api'), { store, configurationFor: buildConfiguration, fleet: fleet([weu, eus]) });
    await store.addRevision('api', 1, newRevision('api', 2, ['weu']));
    const outcomes = await fanOut('api', await store.hubTargets('api'), { store, configurationFor: buildConfiguration, fleet: fleet([weu, eus]) });
    assert.deepEqual(Object.fromEntries(outcomes.map((o) => [o.hub, o.result.state])), { weu: 'applied', eus: 'removed' });
    assert.deepEqual([...weu.configs.keys()], ['api-r2']);
    assert.deepEqual([...eus.configs.keys()], []);
  });

  it('records a hub that is not configured any more as failed', async () => {
    await store.create('gone', newRevision('gone', 1, ['old']));
    const [outcome] = await fanOut('gone', await store.hubTargets('gone'), { store, configurationFor: buildConfiguration, fleet: fleet([]) });
    assert.equal(outcome?.result.state, 'failed');
    assert.equal((await store.hubTargets('gone'))[0]?.lastError?.code, 'HubNotConfigured');
  });
});
