import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { registryFor, startSimulator } from './simulatorFixture';

describe('smoke', () => {
  it('creates and reads a device through the SDK', async () => {
    const sim = await startSimulator();
    try {
      const registry = registryFor(sim, 'weu');
      await registry.create({ deviceId: 'd1', capabilities: { iotEdge: true } });
      const got = await registry.get('d1');
      assert.equal(got.responseBody.deviceId, 'd1');
      const twin = await registry.getTwin('d1');
      assert.equal(twin.responseBody.deviceId, 'd1');
    } finally {
      await sim.stop();
    }
  });
});
