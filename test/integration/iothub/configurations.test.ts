// Configuration CRUD, ETag and immutability rules, the per-hub cap and
// throttling of the simulated IoT hub, through the azure-iothub SDK only.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type Configuration, type Registry } from 'azure-iothub';
import { type IotHubSimulatorHandle } from '../../../local/iothub';
import { admin, edgeContent, registryFor, startSimulator } from './simulatorFixture';

type SdkError = Error & { response?: { statusCode: number; headers: Record<string, string> }; responseBody?: string };
async function failure(promise: Promise<unknown>): Promise<{ name: string; status: number | undefined; code: string; retryAfter?: string }> {
  try {
    await promise;
  } catch (error) {
    const e = error as SdkError;
    const code = e.responseBody ? /ErrorCode:([^;]+)/.exec(e.responseBody)?.[1] ?? '' : '';
    return { name: e.constructor.name, status: e.response?.statusCode, code, ...(e.response?.headers['retry-after'] ? { retryAfter: e.response.headers['retry-after'] } : {}) };
  }
  throw new Error('expected the call to fail');
}

const add = async (r: Registry, c: Configuration): Promise<Configuration> => (await r.addConfiguration(c)).responseBody as Configuration;
const update = async (r: Registry, c: Configuration, force = false): Promise<Configuration> =>
  (await r.updateConfiguration(c, force)).responseBody as Configuration;

const relaxed = { configOpsPerMinutePerUnit: 100000, queriesPerMinutePerUnit: 100000 };

describe('simulated IoT hub configurations through the SDK', () => {
  let sim: IotHubSimulatorHandle;
  let registry: Registry;
  before(async () => {
    sim = await startSimulator({ limits: relaxed });
    registry = registryFor(sim, 'weu');
  });
  after(() => sim.stop());

  it('creates, reads, lists, updates and deletes a configuration', async () => {
    const created = await add(registry, { schemaVersion: '1.0', id: 'crud-r1', content: edgeContent({ web: 'nginx:1.25' }), targetCondition: "tags.env = 'prod'", priority: 10, labels: { app: 'web' } });
    assert.equal(created.id, 'crud-r1');
    assert.ok(created.etag);
    assert.ok(created.createdTimeUtc);
    assert.equal((await failure(add(registry, { schemaVersion: '1.0', id: 'crud-r1', content: edgeContent({}), targetCondition: '*', priority: 1 }))).status, 409);
    const got = await registry.getConfiguration('crud-r1');
    assert.deepEqual(got.responseBody.content, created.content);
    assert.ok((await registry.getConfigurations()).responseBody.some((c) => c.id === 'crud-r1'));
    const updated = await update(registry, { ...got.responseBody, priority: 20, targetCondition: "tags.env = 'staging'" });
    assert.equal(updated.priority, 20);
    assert.notEqual(updated.etag, got.responseBody.etag);
    await registry.removeConfiguration('crud-r1');
    assert.equal((await failure(registry.getConfiguration('crud-r1'))).status, 404);
  });

  it('rejects an update with a stale ETag (412) and accepts a forced one', async () => {
    const created = (await add(registry, { schemaVersion: '1.0', id: 'etag-r1', content: edgeContent({ web: 'nginx:1' }), targetCondition: '*', priority: 1 }));
    await update(registry, { ...created, priority: 2 });
    const stale = await failure(update(registry, { ...created, priority: 3 }));
    assert.deepEqual([stale.name, stale.status, stale.code], ['InvalidEtagError', 412, 'PreconditionFailed']);
    const forced = await update(registry, { ...created, etag: undefined, priority: 4 }, true);
    assert.equal(forced.priority, 4);
  });

  it('keeps content immutable: an update that changes content is rejected', async () => {
    const created = (await add(registry, { schemaVersion: '1.0', id: 'immutable-r1', content: edgeContent({ web: 'nginx:1' }), targetCondition: '*', priority: 1 }));
    const changed = await failure(update(registry, { ...created, content: edgeContent({ web: 'nginx:2' }) }));
    assert.deepEqual([changed.status, changed.code], [400, 'ArgumentInvalid']);
    assert.deepEqual((await registry.getConfiguration('immutable-r1')).responseBody.content, created.content);
  });

  it('rejects a target condition that does not parse', async () => {
    const bad = await failure(add(registry, { schemaVersion: '1.0', id: 'bad-target', content: edgeContent({}), targetCondition: "tags.env = 'prod", priority: 1 }));
    assert.equal(bad.status, 400);
  });

  it('caps the number of configurations per hub', async () => {
    await admin(sim, 'PATCH', '/admin/hubs/eus', { limits: { maxConfigurations: 3 } });
    const eus = registryFor(sim, 'eus');
    for (let i = 0; i < 3; i++) await add(eus, { schemaVersion: '1.0', id: `cap-${i}`, content: edgeContent({}), targetCondition: '*', priority: i });
    const full = await failure(add(eus, { schemaVersion: '1.0', id: 'cap-3', content: edgeContent({}), targetCondition: '*', priority: 9 }));
    assert.deepEqual([full.status, full.code], [413, 'ConfigurationCountLimitExceeded']);
    await eus.removeConfiguration('cap-0');
    await add(eus, { schemaVersion: '1.0', id: 'cap-3', content: edgeContent({}), targetCondition: '*', priority: 9 });
  });

  it('holds 100 configurations by default and refuses the 101st', async () => {
    const sea = registryFor(sim, 'sea');
    await Promise.all(Array.from({ length: 100 }, (_, i) => add(sea, { schemaVersion: '1.0', id: `many-${i}`, content: edgeContent({}), targetCondition: '*', priority: i })));
    assert.equal((await failure(add(sea, { schemaVersion: '1.0', id: 'many-100', content: edgeContent({}), targetCondition: '*', priority: 1 }))).code, 'ConfigurationCountLimitExceeded');
    assert.equal((await sea.getConfigurations()).responseBody.length, 100);
  });

  it('throttles configuration operations with 429 and Retry-After, then recovers', async () => {
    await admin(sim, 'PATCH', '/admin/hubs/weu', { limits: { configOpsPerMinutePerUnit: 600, throttleBurst: 2 } });
    try {
      await registry.getConfigurations();
      await registry.getConfigurations();
      const throttled = await failure(registry.getConfigurations());
      assert.deepEqual([throttled.name, throttled.status, throttled.code, throttled.retryAfter], ['ThrottlingError', 429, 'ThrottlingException', '1']);
      await new Promise((resolve) => setTimeout(resolve, 150)); // 600/min refills a token every 100 ms
      await registry.getConfigurations();
    } finally {
      await admin(sim, 'PATCH', '/admin/hubs/weu', { limits: { ...relaxed, throttleBurst: 0 } });
    }
  });

  it('throttles queries too', async () => {
    await admin(sim, 'PATCH', '/admin/hubs/weu', { limits: { queriesPerMinutePerUnit: 600, throttleBurst: 1 } });
    try {
      await registry.createQuery('SELECT * FROM devices').next();
      assert.equal((await failure(registry.createQuery('SELECT * FROM devices').next())).status, 429);
    } finally {
      await admin(sim, 'PATCH', '/admin/hubs/weu', { limits: { ...relaxed, throttleBurst: 0 } });
    }
  });
});
