// The whole health path, nothing stubbed: simulated hubs and their edge agents
// -> IoT Hub routing shapes -> the local Event Hubs endpoint (AMQP) -> the local
// Functions host's Event Hub trigger -> ingestion into Azurite -> the API's
// /status counts, the device list by state and one device's health.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { DeploymentStatus } from '../../../shared/services/deployments/deploymentStatus';
import type { DeploymentDevice, DeviceHealthView } from '../../../shared/services/health/healthQueries';
import { type AppStack, startAppStack } from '../../helpers/appStack';
import { waitFor } from '../../helpers/fixtureApp';
import { deploymentBody } from '../../helpers/revisions';

describe('end to end: device health from the simulated fleet to /status', () => {
  let stack: AppStack;
  before(async () => {
    stack = await startAppStack({ eventHubs: true, iothub: { fleet: 6, seed: 11, agent: { applyDelayMs: { min: 20, max: 200 }, heartbeatMs: 60_000 } } });
  });
  after(async () => stack.stop());

  it('counts the targeted devices as they succeed, lists them, and shows one device', async () => {
    const targeted = stack.iothub.simulator.hubs.flatMap((hub) => [...hub.devices.values()].filter((d) => (d.twin.tags as { env?: string }).env === 'prod').map((d) => ({ hub: hub.name, deviceId: d.deviceId })));
    assert.ok(targeted.length > 3, 'the seed gives a few prod devices');
    const created = await stack.api('deployments', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(deploymentBody('e2e-health', { condition: "tags.env='prod'", image: 'contoso.azurecr.io/sensor:2.0.0' })) });
    assert.equal(created.status, 201, await created.clone().text());

    const status = await waitFor(
      async () => {
        const s = (await (await stack.api('deployments/e2e-health/status')).json()) as DeploymentStatus;
        return s.devicesSource === 'health' && s.devices.succeeded === targeted.length ? s : undefined;
      },
      30_000,
      'every targeted device to report success through the Event Hub',
    );
    assert.deepEqual({ ...status.devices }, { succeeded: targeted.length, progressing: 0, failed: 0, offline: 0, unknown: 0 });
    assert.ok(status.devicesAsOf, 'the counts say how fresh they are');

    const listed: DeploymentDevice[] = [];
    let token: string | null = null;
    do {
      const page = (await (await stack.api(`deployments/e2e-health/devices?state=succeeded&pageSize=4${token ? `&continuationToken=${token}` : ''}`)).json()) as { items: DeploymentDevice[]; continuationToken: string | null };
      assert.ok(page.items.length <= 4);
      listed.push(...page.items);
      token = page.continuationToken;
    } while (token);
    assert.deepEqual(listed.map((d) => `${d.hub}/${d.deviceId}`).sort(), targeted.map((d) => `${d.hub}/${d.deviceId}`).sort());
    const failed = (await (await stack.api('deployments/e2e-health/devices?state=failed')).json()) as { items: unknown[] };
    assert.equal(failed.items.length, 0);

    const one = targeted[0]!;
    const health = (await (await stack.api(`hubs/${one.hub}/devices/${one.deviceId}/health`)).json()) as DeviceHealthView;
    assert.equal(health.state, 'succeeded');
    assert.deepEqual(health.deployment, { configurationId: 'e2e-health-r1', id: 'e2e-health', revision: 1 });
    assert.equal(health.connection?.connected, true);
    assert.equal(health.modules.web?.image, 'contoso.azurecr.io/sensor:2.0.0');
    assert.equal(health.modules.web?.runtimeStatus, 'running');
  });

  it('answers bad queries and unknown devices with problem+json', async () => {
    const bad = await stack.api('deployments/e2e-health/devices?state=sleeping');
    assert.equal(bad.status, 400);
    assert.match(bad.headers.get('content-type') ?? '', /application\/problem\+json/);
    assert.match(await bad.text(), /state/);
    assert.equal((await stack.api('hubs/weu/devices/no-such-device/health')).status, 404);
    assert.equal((await stack.api('hubs/nowhere/devices/x/health')).status, 404);
    assert.equal((await stack.api('deployments/e2e-health/devices?continuationToken=bm9wZQ')).status, 400);
  });
});
