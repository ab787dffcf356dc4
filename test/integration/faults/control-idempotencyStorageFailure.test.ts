// Issue #16 item 15: a POST that was running when storage went away. The
// deployment is stored and on the hubs, then FleetStorage stops answering
// (connections refused, through a TCP proxy in front of Azurite) before the
// request can record the outcome: the answer is 503 with Retry-After. Storage
// comes back; a client retrying with the same Idempotency-Key (and honouring
// Retry-After) gets the outcome of the create, 201, not 409 DeploymentExists.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type AppStack, startAppStack } from '../../helpers/appStack';
import { waitFor } from '../../helpers/fixtureApp';

const HUB_LATENCY_MS = 700;

const deployment = {
  id: 'outage-web',
  hubSelector: { names: ['weu'] },
  target: { condition: "tags.env='staging'" },
  manifest: { modules: { web: { image: 'mcr.microsoft.com/azureiotedge-simulated-temperature-sensor:1.5' } } },
};

describe('idempotency across a storage failure (issue #16 item 15)', () => {
  let stack: AppStack;
  before(async () => {
    // Short tries so the outage is noticed quickly; the retry budget is the production one.
    stack = await startAppStack({ storageProxy: true, settings: { STORAGE_TRY_TIMEOUT_MS: '1000', HTTP_DEADLINE_MS: '2500' } });
  });
  after(async () => stack.stop());

  const post = () =>
    stack.api('deployments', { method: 'POST', headers: { 'content-type': 'application/json', 'idempotency-key': 'outage-1' }, body: JSON.stringify(deployment) });

  it('answers 503 with Retry-After, and the retry with the same key gets 201 for the deployment that was created', async () => {
    const weu = stack.iothub.simulator.hubs.find((h) => h.name === 'weu')!;
    // The hub is slow enough that storage can go away while the request waits for it.
    weu.faults.latencyMs = HUB_LATENCY_MS;
    const { table, blob } = stack.storageProxy!;
    // Storage goes away while the hub write is in flight: desired state is stored, the hub gets the configuration,
    // and the request cannot record either outcome.
    weu.onRequest = (request) => {
      if (request.method !== 'PUT' || !request.path.startsWith('/configurations/')) return;
      table.cut();
      blob.cut();
    };
    const started = Date.now();
    const first = post();
    const failed = await first;
    const firstMs = Date.now() - started;
    const failedBody = await failed.text();
    assert.equal(failed.status, 503, failedBody);
    assert.match(failed.headers.get('content-type') ?? '', /application\/problem\+json/);
    assert.ok(Number(failed.headers.get('retry-after')) > 0, 'Retry-After is set');
    weu.onRequest = () => undefined;
    assert.ok(weu.configurations.items.has('outage-web-r1'), 'the hub got the configuration');

    table.restore();
    blob.restore();
    weu.faults.latencyMs = 0;
    const restoredAt = Date.now();
    // A client honouring Retry-After: 409 RequestInProgress while the dead request's claim is fresh, then the outcome.
    const answers: { status: number; code?: string }[] = [];
    const final = await waitFor(async () => {
      const retry = await post();
      const text = await retry.text();
      const code = retry.status >= 400 ? (JSON.parse(text) as { code?: string }).code : undefined;
      answers.push({ status: retry.status, ...(code ? { code } : {}) });
      if (retry.status === 409 && code === 'RequestInProgress') {
        await new Promise((resolve) => setTimeout(resolve, Number(retry.headers.get('retry-after') ?? '1') * 1000));
        return undefined;
      }
      return { status: retry.status, body: text };
    }, 25_000, 'the outcome of the create');
    assert.equal(final.status, 201, `${final.body} after ${JSON.stringify(answers)}`);
    assert.ok(!answers.some((a) => a.code === 'DeploymentExists'), JSON.stringify(answers));
    const change = JSON.parse(final.body) as { deployment: { id: string; revision: number }; hubs: { hub: string; state: string }[] };
    assert.deepEqual([change.deployment.id, change.deployment.revision], ['outage-web', 1]);
    assert.deepEqual(change.hubs.map((h) => [h.hub, h.state]), [['weu', 'applied']]);
    console.log(`measured: first answer 503 in ${firstMs} ms; outcome after ${answers.length} retries, ${Date.now() - restoredAt} ms after storage came back`);

    const again = await post();
    assert.equal(again.status, 201);
    assert.equal(await again.text(), final.body, 'the outcome is remembered');
    assert.equal(again.headers.get('idempotent-replayed'), 'true');
  });
});
