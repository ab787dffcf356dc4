// Devices, modules, twins, queries and auth of the simulated IoT hub, through the azure-iothub SDK only.
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { type Registry } from 'azure-iothub';
import { type IotHubSimulatorHandle } from '../../../local/iothub';
import { createRegistry } from '../../../shared/adapters/iothub/createRegistry';
import { hubSettingSchema } from '../../../shared/config/settings';
import { registryFor, startSimulator } from './simulatorFixture';

const fleet = {
  hubs: {
    weu: [
      { deviceId: 'q-1', tags: { env: 'prod', floor: 1, owner: "o'brien" } },
      { deviceId: 'q-2', tags: { env: 'prod', floor: 2 } },
      { deviceId: 'q-3', tags: { env: 'staging', floor: 3, canary: true } },
      { deviceId: 'q-4', tags: { env: 'staging', floor: 4 } },
      { deviceId: 'q-5', iotEdge: false, tags: { env: 'prod', floor: 5 } },
    ],
  },
};

const errorName = async (promise: Promise<unknown>): Promise<string> => {
  try {
    await promise;
  } catch (error) {
    return (error as Error).constructor.name;
  }
  return 'no error';
};

describe('simulated IoT hub registry through the SDK', () => {
  let sim: IotHubSimulatorHandle;
  let registry: Registry;
  before(async () => {
    sim = await startSimulator({ fleet, limits: { queriesPerMinutePerUnit: 100000 } });
    registry = registryFor(sim, 'weu');
  });
  after(() => sim.stop());

  it('creates, reads, lists, updates and deletes devices, with IoT Edge system modules', async () => {
    const created = await registry.create({ deviceId: 'crud-1', capabilities: { iotEdge: true } });
    assert.equal(created.responseBody.deviceId, 'crud-1');
    assert.ok(created.responseBody.authentication?.symmetricKey?.primaryKey, 'keys are generated');
    assert.equal(await errorName(registry.create({ deviceId: 'crud-1' })), 'DeviceAlreadyExistsError');
    const modules = await registry.getModulesOnDevice('crud-1');
    assert.deepEqual(modules.responseBody.map((m) => m.moduleId).sort(), ['$edgeAgent', '$edgeHub']);
    const listed = await registry.list();
    assert.ok(listed.responseBody.some((d) => d.deviceId === 'crud-1'));
    const updated = await registry.update({ deviceId: 'crud-1', status: 'disabled' });
    assert.equal(updated.responseBody.status, 'disabled');
    await registry.delete('crud-1');
    assert.equal(await errorName(registry.get('crud-1')), 'DeviceNotFoundError');
  });

  it('creates and removes devices in bulk', async () => {
    const created = await registry.addDevices([{ deviceId: 'bulk-1' }, { deviceId: 'bulk-2', capabilities: { iotEdge: true } }]);
    assert.equal(created.responseBody.isSuccessful, true);
    assert.equal((await registry.get('bulk-2')).responseBody.capabilities?.iotEdge, true);
    assert.equal(await errorName(registry.addDevices([{ deviceId: 'bulk-1' }])), 'ArgumentError');
    await registry.removeDevices([{ deviceId: 'bulk-1' }, { deviceId: 'bulk-2' }], true);
    assert.equal(await errorName(registry.get('bulk-1')), 'DeviceNotFoundError');
  });

  it('adds custom modules and reads and patches module twins', async () => {
    await registry.create({ deviceId: 'mod-1', capabilities: { iotEdge: true } });
    await registry.addModule({ deviceId: 'mod-1', moduleId: 'sensor' });
    const twin = await registry.getModuleTwin('mod-1', 'sensor');
    const patched = await registry.updateModuleTwin('mod-1', 'sensor', { properties: { desired: { rate: 5 } } }, twin.responseBody.etag);
    assert.equal(patched.responseBody.properties.desired.rate, 5);
  });

  it('patches and replaces twin tags and desired properties, rejecting a stale ETag with 412', async () => {
    await registry.create({ deviceId: 'twin-1' });
    const first = await registry.getTwin('twin-1');
    const desiredVersion = first.responseBody.properties.desired.$version as number;
    const patched = await registry.updateTwin('twin-1', { tags: { site: 'a', keep: 1 }, properties: { desired: { x: { y: 1 } } } }, first.responseBody.etag);
    assert.deepEqual(patched.responseBody.tags, { site: 'a', keep: 1 });
    assert.equal(patched.responseBody.properties.desired.$version, desiredVersion + 1);
    assert.notEqual(patched.responseBody.etag, first.responseBody.etag);
    assert.equal(await errorName(registry.updateTwin('twin-1', { tags: { site: 'b' } }, first.responseBody.etag)), 'InvalidEtagError');
    const removed = await registry.updateTwin('twin-1', { tags: { keep: null } }, '*');
    assert.deepEqual(removed.responseBody.tags, { site: 'a' });
    // Replace (PUT) through the Twin object's own API is not in the SDK; a PATCH with '*' always applies.
    const again = await registry.getTwin('twin-1');
    assert.deepEqual(again.responseBody.properties.desired.x, { y: 1 });
  });

  it('rejects desired properties larger than the twin size limit', async () => {
    await registry.create({ deviceId: 'big-1' });
    assert.equal(await errorName(registry.updateTwin('big-1', { properties: { desired: { blob: 'x'.repeat(33 * 1024) } } }, '*')), 'ArgumentError');
  });

  it('pages query results with continuation tokens', async () => {
    const query = registry.createQuery("SELECT * FROM devices WHERE STARTSWITH(deviceId, 'q-')", 2);
    const pages: string[][] = [];
    while (pages.length === 0 || query.hasMoreResults) {
      const page = await query.nextAsTwin();
      pages.push(page.result.map((t) => t.deviceId));
    }
    assert.deepEqual(pages, [['q-1', 'q-2'], ['q-3', 'q-4'], ['q-5']]);
  });

  it('evaluates every operator of the query language against the registry', async () => {
    const ids = async (where: string) => {
      const result = await registry.createQuery(`SELECT deviceId FROM devices WHERE STARTSWITH(deviceId, 'q-') AND (${where})`).next();
      return (result.result as { deviceId: string }[]).map((r) => r.deviceId).sort().join(',');
    };
    assert.equal(await ids("tags.env = 'prod'"), 'q-1,q-2,q-5');
    assert.equal(await ids("tags.env != 'prod'"), 'q-3,q-4');
    assert.equal(await ids("tags.env <> 'staging'"), 'q-1,q-2,q-5');
    assert.equal(await ids('tags.floor < 2'), 'q-1');
    assert.equal(await ids('tags.floor > 4'), 'q-5');
    assert.equal(await ids('tags.floor <= 2'), 'q-1,q-2');
    assert.equal(await ids('tags.floor >= 4'), 'q-4,q-5');
    assert.equal(await ids("tags.env = 'prod' AND tags.floor > 1"), 'q-2,q-5');
    assert.equal(await ids("tags.floor = 1 OR tags.env = 'staging'"), 'q-1,q-3,q-4');
    assert.equal(await ids("NOT tags.env = 'prod'"), 'q-3,q-4');
    assert.equal(await ids('tags.floor IN [1, 3]'), 'q-1,q-3');
    assert.equal(await ids('IS_DEFINED(tags.canary)'), 'q-3');
    assert.equal(await ids('tags.canary = true'), 'q-3');
    assert.equal(await ids("tags.owner = 'o''brien'"), 'q-1');
    assert.equal(await ids('capabilities.iotEdge = false'), 'q-5');
    const modules = await registry.createQuery("SELECT * FROM devices.modules WHERE moduleId = '$edgeAgent' AND STARTSWITH(deviceId, 'q-')").next();
    assert.equal((modules.result as unknown[]).length, 4);
    const counted = await registry.createQuery("SELECT COUNT() AS n FROM devices WHERE tags.env = 'prod' AND STARTSWITH(deviceId, 'q-')").next();
    assert.deepEqual(counted.result, [{ n: 3 }]);
  });

  it('answers a query syntax error with 400 and the IoT Hub error shape', async () => {
    try {
      await registry.createQuery("SELECT * FROM devices WHERE tags.env = 'prod").next();
      assert.fail('expected an error');
    } catch (error) {
      const e = error as Error & { responseBody: string; response: { statusCode: number } };
      assert.equal(e.constructor.name, 'ArgumentError');
      assert.equal(e.response.statusCode, 400);
      assert.match((JSON.parse(e.responseBody) as { Message: string }).Message, /^ErrorCode:BadRequest;Query syntax error/);
    }
  });

  it('rejects a wrong key and an expired token with 401', async () => {
    const hub = sim.hubs.find((h) => h.name === 'weu')!;
    const wrongKey = hub.connectionString.replace(/SharedAccessKey=.*$/, `SharedAccessKey=${Buffer.alloc(32, 7).toString('base64')}`);
    assert.equal(await errorName(registryFor(sim, 'weu', wrongKey).get('q-1')), 'UnauthorizedError');
    const key = /SharedAccessKey=(.*)$/.exec(hub.connectionString)![1]!;
    const se = Math.floor(Date.now() / 1000) - 10;
    const sig = encodeURIComponent(createHmac('sha256', Buffer.from(key, 'base64')).update(`${hub.hostName}\n${se}`).digest('base64'));
    const expired = `HostName=${hub.hostName};SharedAccessSignature=SharedAccessSignature sr=${hub.hostName}&sig=${sig}&se=${se}&skn=iothubowner`;
    assert.equal(await errorName(registryFor(sim, 'weu', expired).get('q-1')), 'UnauthorizedError');
    const valid = expired.replace(`se=${se}`, `se=${se + 3600}`).replace(sig, encodeURIComponent(createHmac('sha256', Buffer.from(key, 'base64')).update(`${hub.hostName}\n${se + 3600}`).digest('base64')));
    assert.equal((await registryFor(sim, 'weu', valid).get('q-1')).responseBody.deviceId, 'q-1');
  });

  it('keeps TLS verification on: a certificate from another local CA is refused', async () => {
    const other = await startSimulator({ hubs: [{ name: 'weu', region: 'westeurope' }] });
    try {
      const hub = sim.hubs.find((h) => h.name === 'weu')!;
      const mismatched = createRegistry(hubSettingSchema.parse({ name: 'weu', region: 'westeurope', connection: hub.connectionString, local: { endpoint: hub.localEndpoint, caFile: other.caFile } }));
      await assert.rejects(mismatched.get('q-1'), (e: NodeJS.ErrnoException) => /SELF_SIGNED|UNABLE_TO_VERIFY|unable to verify|self.signed/i.test(`${e.code} ${e.message}`));
    } finally {
      await other.stop();
    }
  });

  it('serves each hub on its own host name and keys', async () => {
    const eus = sim.hubs.find((h) => h.name === 'eus')!;
    assert.match(eus.hostName, /^iot-[a-z]+-eus\.hubs\.localhost$/, 'named like infra/ names hubs');
    assert.equal(await errorName(registryFor(sim, 'eus').get('q-1')), 'DeviceNotFoundError');
    const crossed = eus.connectionString.replace(/SharedAccessKey=.*$/, /SharedAccessKey=.*$/.exec(sim.hubs[0]!.connectionString)![0]);
    assert.equal(await errorName(registryFor(sim, 'eus', crossed).get('q-1')), 'UnauthorizedError');
  });
});
