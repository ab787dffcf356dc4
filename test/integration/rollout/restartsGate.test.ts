// The restarts gate through the whole local stack (IoT Hub simulator -> Event
// Hubs -> health ingestion -> reconciler): an image that keeps restarting but is
// never reported failed passes every failure threshold; maxRestarts stops it in
// the canary wave, during the soak, and later waves never receive it.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type AppStack, startAppStack } from '../../helpers/appStack';
import { stackRollouts } from '../../helpers/stackRollouts';

const GOOD = 'contoso.azurecr.io/sensor:1.4.2';
const FLAKY = 'contoso.azurecr.io/sensor:2.0.0-flaky';
const MAX_RESTARTS = 10;

interface Figures {
  succeeded: number;
  failed: number;
  failedPercent: number;
  restartsDuringSoak: number | null;
}
interface Status {
  devices: { succeeded: number; progressing: number; failed: number };
  hubs: { hub: string; configurationId: string | null; state: string }[];
  rollout: {
    phase: string;
    currentWave: { index: number; name: string };
    gate: { figures: Figures; reason: string } | null;
    history: { wave: number; from: string | null; to: string; reason: string; figures?: Figures }[];
  } | null;
}

const deployment = (image: string, rollout?: unknown) => ({
  id: 'sensor',
  target: { condition: "tags.env='prod'" },
  manifest: { modules: { sensor: { image } } },
  ...(rollout ? { rollout } : {}),
});

describe('restarts gate on the local stack', () => {
  let stack: AppStack;
  before(async () => {
    stack = await startAppStack({ eventHubs: true, iothub: { fleet: 8, seed: 10, agent: { applyDelayMs: { min: 50, max: 400 }, crashRestartMs: 400, failAfterRestarts: 3, heartbeatMs: 60_000 } } });
  });
  after(async () => stack.stop());

  const api = () => stackRollouts<Status>(stack, 'sensor');

  it('pauses the canary wave on a restarting image no failure threshold sees; later waves never receive it', async () => {
    await api().call('deployments', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(deployment(GOOD)) });
    await api().untilHealthy();

    const scenario = await fetch(`${stack.iothub.adminUrl}/admin/scenarios`, { method: 'POST', body: JSON.stringify({ kind: 'flakyImage', image: '2.0.0-flaky', hub: 'weu' }) });
    assert.ok(scenario.ok, await scenario.text());
    const rollout = {
      waves: [
        { name: 'canary', hubSelector: { names: ['weu'] }, soakSeconds: 600 },
        { name: 'americas', hubSelector: { names: ['eus'] }, soakSeconds: 600 },
        { name: 'asia', hubSelector: { names: ['sea'] }, soakSeconds: 600 },
      ],
      // Lenient on failures: the flaky image never fails a device, so only maxRestarts can stop it.
      gate: { maxFailedPercent: 10, minSucceeded: 1, maxRestarts: MAX_RESTARTS },
      onFailure: 'pause',
    };
    await api().call('deployments/sensor', { method: 'PUT', headers: { 'content-type': 'application/json', 'if-match': '"r1"' }, body: JSON.stringify(deployment(FLAKY, rollout)) });

    const last = await api().reconcileUntilSettled();
    const r = last?.rollout;
    assert.equal(r?.phase, 'paused', JSON.stringify(r?.history));
    assert.equal(r.currentWave.name, 'canary');
    const tripped = r.history.at(-1)!;
    assert.deepEqual([tripped.wave, tripped.from, tripped.to, tripped.reason], [0, 'soaking', 'paused', 'RestartsExceeded'], 'tripped during the soak (600 s), not at its end');
    assert.ok((tripped.figures?.restartsDuringSoak ?? 0) > MAX_RESTARTS, JSON.stringify(tripped.figures));
    assert.equal(tripped.figures?.failed, 0, 'no failure threshold could have seen it');
    assert.ok((tripped.figures?.succeeded ?? 0) > 0, 'the devices run the image: succeeded by every other measure');
    assert.ok(!r.history.some((h) => h.wave > 0), 'later waves never start');

    // Passes go on while paused: the gate keeps showing the restarts; the other hubs stay on revision 1.
    await api().reconcile();
    const paused = await api().status();
    assert.equal(paused.rollout?.phase, 'paused');
    assert.ok((paused.rollout?.gate?.figures.restartsDuringSoak ?? 0) >= (tripped.figures?.restartsDuringSoak ?? 0));
    const hubs = Object.fromEntries(paused.hubs.map((h) => [h.hub, h.configurationId]));
    assert.deepEqual(hubs, { weu: 'sensor-r2', eus: 'sensor-r1', sea: 'sensor-r1' });
    for (const hub of stack.iothub.simulator.hubs.filter((h) => h.name !== 'weu')) {
      assert.ok(!hub.configurations.items.has('sensor-r2'), `${hub.name} never had the flaky revision`);
      const images = [...hub.devices.values()].map((d) => JSON.stringify(d.modules.get('$edgeAgent')?.twin.reported.modules ?? {}));
      assert.ok(!images.some((m) => m.includes('2.0.0-flaky')), `no device of ${hub.name} ran the flaky image`);
    }
  });
});
