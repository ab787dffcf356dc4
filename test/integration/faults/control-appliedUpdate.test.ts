// Issue #16 item 5: an update the hub applied whose answer came too late (the
// client's IOTHUB_REQUEST_TIMEOUT_MS passed first) is recorded as applied.
// The retry carries the ETag the update itself replaced, so IoT Hub answers
// 412 (PreconditionFailed, "Configurations - Create Or Update" with If-Match);
// the reconciler must read the configuration back and see its own update.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createRegistry } from '../../../shared/adapters/iothub/createRegistry';
import { hubSettingSchema } from '../../../shared/config/settings';
import { type AppStack, startAppStack } from '../../helpers/appStack';

const REQUEST_TIMEOUT_MS = 800;

const deployment = {
  id: 'applied-web',
  hubSelector: { names: ['weu'] },
  target: { condition: "tags.env='staging'" },
  priority: 10,
  manifest: { modules: { web: { image: 'mcr.microsoft.com/azureiotedge-simulated-temperature-sensor:1.5' } } },
};

describe('an update applied by the hub whose answer was lost (issue #16 item 5)', () => {
  let stack: AppStack;
  before(async () => {
    stack = await startAppStack({ settings: { IOTHUB_REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS) } });
    const created = await stack.api('deployments', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(deployment) });
    assert.equal(created.status, 201, await created.text());
  });
  after(async () => stack.stop());

  it('records the update applied, not failed, after the retry meets 412', async () => {
    const info = stack.iothub.hubs.find((h) => h.name === 'weu')!;
    const hub = stack.iothub.simulator.hubs.find((h) => h.name === 'weu')!;
    // An operator changes the priority in the portal (drift the reconciler repairs with an ETag-guarded update), through the real SDK.
    const registry = createRegistry(hubSettingSchema.parse({ name: info.name, region: info.region, labels: info.labels, connection: info.connectionString, local: { endpoint: info.localEndpoint, caFile: info.caFile } }));
    const current = (await registry.getConfiguration('applied-web-r1')).responseBody;
    await registry.updateConfiguration({ ...current, priority: 99 });
    const etagBefore = hub.configurations.get('applied-web-r1').etagVersion;

    // The next PUT is applied at once but answered after three times the client's timeout.
    hub.faults.slowAnswers = { method: 'PUT', ms: 3 * REQUEST_TIMEOUT_MS, remaining: 1 };
    const pass = await stack.api('reconcile', { method: 'POST', key: stack.keys.masterKey });
    const report = (await pass.json()) as { summary: { updates: number; failures: number }; hubs: { hubs: { hub: string; failures: unknown[] }[] } };
    assert.equal(hub.faults.slowAnswers.remaining, 0, 'the update was answered late');
    assert.ok(hub.configurations.get('applied-web-r1').etagVersion > etagBefore, 'the hub applied the update');
    assert.equal(hub.configurations.get('applied-web-r1').priority, 10, 'the drift is repaired');
    assert.equal(report.summary.failures, 0, JSON.stringify(report.hubs));
    assert.equal(report.summary.updates, 1);

    const status = (await (await stack.api('deployments/applied-web/status')).json()) as { hubs: { hub: string; state: string; lastError: unknown }[] };
    const weu = status.hubs.find((h) => h.hub === 'weu')!;
    assert.equal(weu.state, 'applied', JSON.stringify(weu));
    assert.equal(weu.lastError ?? null, null);
  });
});
