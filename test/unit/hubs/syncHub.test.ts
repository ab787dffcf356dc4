import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { configurationId, DEPLOYMENT_LABEL, MANAGED_BY_LABEL, MANAGED_BY_VALUE, REVISION_LABEL } from '../../../shared/domain/deployments/configurationId';
import { AppError } from '../../../shared/errors';
import type { ConfigurationSpec } from '../../../shared/services/hubs/hubConfigurations';
import { type RateLimiter, RateLimitWaitTooLong } from '../../../shared/services/hubs/rateLimiter';
import { syncHub } from '../../../shared/services/hubs/syncHub';
import { MemoryHub } from '../../helpers/memoryHub';

const unlimited: RateLimiter = { acquire: async () => Promise.resolve(), pause: () => undefined };
const noWaitRetry = { attempts: 3, baseDelayMs: 0, maxDelayMs: 0, sleep: async () => Promise.resolve() };
const deps = (hub: MemoryHub, maxConfigurations = 100) => ({ configurations: hub, limiter: unlimited, maxConfigurations, retry: noWaitRetry, installationId: 'test' });

function spec(deployment: string, revision: number, image = 'nginx:1.25', over: Partial<ConfigurationSpec> = {}): ConfigurationSpec {
  return {
    id: configurationId(deployment, revision),
    content: { modulesContent: { $edgeAgent: { 'properties.desired': { modules: { web: { settings: { image } } } } } } },
    targetCondition: "tags.env='prod'",
    priority: 10,
    labels: { [MANAGED_BY_LABEL]: MANAGED_BY_VALUE, [DEPLOYMENT_LABEL]: deployment, [REVISION_LABEL]: String(revision) },
    ...over,
  };
}

describe('syncing one hub to a revision', () => {
  it('creates the missing configuration', async () => {
    const hub = new MemoryHub();
    const result = await syncHub('web', spec('web', 1), deps(hub));
    assert.equal(result.state, 'applied');
    assert.deepEqual([...hub.configs.keys()], ['web-r1']);
  });

  it('does nothing when the hub already matches (idempotent)', async () => {
    const hub = new MemoryHub();
    await syncHub('web', spec('web', 1), deps(hub));
    hub.calls.length = 0;
    const again = await syncHub('web', spec('web', 1), deps(hub));
    assert.equal(again.state, 'applied');
    assert.deepEqual(again.actions, []);
    assert.deepEqual(hub.calls, ['list']);
  });

  it('updates target condition, priority and labels that drifted, guarded by the etag', async () => {
    const hub = new MemoryHub();
    await syncHub('web', spec('web', 1), deps(hub));
    const result = await syncHub('web', spec('web', 1, 'nginx:1.25', { targetCondition: "tags.env='prod' AND tags.ring='canary'", priority: 20 }), deps(hub));
    assert.deepEqual(result.actions.map((a) => a.op), ['update']);
    assert.equal(hub.configs.get('web-r1')?.priority, 20);
  });

  it('creates the new revision before deleting the superseded one', async () => {
    const hub = new MemoryHub();
    await syncHub('web', spec('web', 1), deps(hub));
    hub.calls.length = 0;
    const result = await syncHub('web', spec('web', 2, 'nginx:1.26'), deps(hub));
    assert.equal(result.state, 'applied');
    assert.deepEqual(hub.calls, ['list', 'create web-r2', 'delete web-r1']);
    assert.deepEqual([...hub.configs.keys()], ['web-r2']);
  });

  it('syncs from a snapshot the caller listed, without listing again', async () => {
    const hub = new MemoryHub();
    await syncHub('web', spec('web', 1), deps(hub));
    const snapshot = await hub.list();
    hub.calls.length = 0;
    const result = await syncHub('web', spec('web', 2, 'nginx:2'), deps(hub), { snapshot });
    assert.equal(result.state, 'applied');
    assert.deepEqual(hub.calls, ['create web-r2', 'delete web-r1']);
  });

  it('never touches configurations it did not create or of other deployments', async () => {
    const hub = new MemoryHub();
    await hub.create({ ...spec('web', 7), labels: { team: 'manual' } }); // same id scheme, not managed
    await syncHub('api', spec('api', 1), deps(hub));
    await syncHub('web', spec('web', 1), deps(hub));
    const result = await syncHub('web', undefined, deps(hub));
    assert.equal(result.state, 'removed');
    assert.deepEqual([...hub.configs.keys()].sort(), ['api-r1', 'web-r7']);
  });

  it('refuses to adopt a configuration with the same id but other content', async () => {
    const hub = new MemoryHub();
    await hub.create(spec('web', 1, 'evil:1'));
    const result = await syncHub('web', spec('web', 1), deps(hub));
    assert.equal(result.state, 'failed');
    assert.equal(result.state === 'failed' && result.error.code, 'ContentConflict');
  });

  it('accepts a create that raced with another writer when the content matches', async () => {
    const hub = new MemoryHub();
    const original = hub.list.bind(hub);
    let first = true;
    // The list misses the configuration (another pass created it just after): create gets 409.
    hub.list = async () => {
      const all = await original();
      if (first) {
        first = false;
        await hub.create(spec('web', 1));
        return all;
      }
      return all;
    };
    const result = await syncHub('web', spec('web', 1), deps(hub));
    assert.equal(result.state, 'applied');
  });

  it('makes room under the hub limit from superseded revisions, else reports the limit clearly', async () => {
    const hub = new MemoryHub();
    await syncHub('web', spec('web', 1), deps(hub, 2));
    await syncHub('api', spec('api', 1), deps(hub, 2));
    const replaced = await syncHub('web', spec('web', 2, 'nginx:2'), deps(hub, 2));
    assert.equal(replaced.state, 'applied');
    assert.deepEqual([...hub.configs.keys()].sort(), ['api-r1', 'web-r2']);
    const full = await syncHub('db', spec('db', 1), deps(hub, 2));
    assert.equal(full.state, 'failed');
    assert.equal(full.state === 'failed' && full.error.code, 'HubConfigurationLimitReached');
  });

  it('retries throttling, and reports a hub that stays down as pending, not failed', async () => {
    const hub = new MemoryHub();
    hub.failNext = { count: 2, error: new AppError('ThrottlingException', 429, 'slow down', { retryAfterSeconds: 0 }) };
    assert.equal((await syncHub('web', spec('web', 1), deps(hub))).state, 'applied');

    const down = new MemoryHub();
    down.failNext = { count: 99, error: new AppError('ServiceUnavailable', 503, 'hub down') };
    const result = await syncHub('web', spec('web', 1), deps(down));
    assert.equal(result.state, 'pending');
  });

  it('reports pending when the rate limiter would wait too long', async () => {
    const hub = new MemoryHub();
    const limiter: RateLimiter = { acquire: () => Promise.reject(new RateLimitWaitTooLong(60000)), pause: () => undefined };
    const result = await syncHub('web', spec('web', 1), { ...deps(hub), limiter });
    assert.equal(result.state, 'pending');
    assert.equal(result.state === 'pending' && result.error.code, 'RateLimited');
  });
});
