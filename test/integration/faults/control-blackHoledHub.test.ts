// Issue #16 item 4: a hub that accepts connections and never answers (a
// black-holed route, through a TCP proxy in front of the simulator) must not
// hold a POST: it is answered within HTTP_DEADLINE_MS with 202, a retry with
// the same Idempotency-Key gets that same answer (not a second create and not
// 409 DeploymentExists), and the reconciler finishes the hub once it is back.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type AppStack, startAppStack } from '../../helpers/appStack';
import { waitFor } from '../../helpers/fixtureApp';

const DEADLINE_MS = 1500;
// The answer is due at the deadline; this much more covers the storage writes after it on a loaded 2-core machine.
const SLACK_MS = 2500;

const deployment = {
  id: 'blackhole-web',
  hubSelector: {},
  target: { condition: "tags.env='staging'" },
  manifest: { modules: { web: { image: 'mcr.microsoft.com/azureiotedge-simulated-temperature-sensor:1.5' } } },
};

describe('a black-holed hub (issue #16 item 4)', () => {
  let stack: AppStack;
  before(async () => {
    stack = await startAppStack({ hubProxies: true, settings: { HTTP_DEADLINE_MS: String(DEADLINE_MS) } });
  });
  after(async () => stack.stop());

  const post = () =>
    stack.api('deployments', { method: 'POST', headers: { 'content-type': 'application/json', 'idempotency-key': 'blackhole-1' }, body: JSON.stringify(deployment) });

  it('answers the POST 202 within the deadline, replays it for the same Idempotency-Key, and the reconciler finishes the hub', async () => {
    const [down, ...up] = stack.iothub.simulator.hubs;
    stack.hubProxies.get(down!.name)!.blackHole();

    const started = Date.now();
    const first = await post();
    const elapsed = Date.now() - started;
    const firstBody = await first.text();
    assert.equal(first.status, 202, firstBody);
    console.log(`measured: the POST answered ${first.status} in ${elapsed} ms (HTTP_DEADLINE_MS=${DEADLINE_MS})`);
    assert.ok(elapsed < DEADLINE_MS + SLACK_MS, `answered in ${elapsed} ms`);
    for (const hub of up) assert.ok(hub.configurations.items.has('blackhole-web-r1'), `${hub.name} got it within the request`);
    assert.equal(down!.configurations.items.size, 0, 'nothing reached the black-holed hub');

    const retry = await post();
    assert.equal(retry.status, first.status);
    assert.equal(await retry.text(), firstBody, 'the retry gets the first answer');
    assert.equal(retry.headers.get('idempotent-replayed'), 'true');

    stack.hubProxies.get(down!.name)!.restore();
    // Each pass goes through the real timer function; the hub converges in the first pass after it is back.
    await waitFor(async () => {
      await stack.host.runFunction('reconcile');
      return down!.configurations.items.has('blackhole-web-r1') || undefined;
    }, 10_000, 'the reconciler to create the configuration on the hub that came back');
    const status = (await (await stack.api('deployments/blackhole-web/status')).json()) as { hubs: { hub: string; state: string }[] };
    assert.equal(status.hubs.find((h) => h.hub === down!.name)?.state, 'applied', JSON.stringify(status));
  });
});
