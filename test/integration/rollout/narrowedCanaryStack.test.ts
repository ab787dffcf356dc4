// A healthy revision through the whole local stack (IoT Hub simulator -> Event
// Hubs -> health ingestion -> reconciler) with a canary wave narrowed to tagged
// devices: the canary devices of the canary region run it first while that
// region's other devices stay on the previous revision, then the region, then
// the rest, every wave in order, gated on the devices' ingested health.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type AppStack, startAppStack } from '../../helpers/appStack';
import { stackRollouts } from '../../helpers/stackRollouts';

interface Status {
  devices: { succeeded: number; progressing: number };
  rollout: { phase: string; currentWave: { index: number }; waves: { name: string; deviceSelector: Record<string, unknown> | null }[]; history: { wave: number; to: string; reason: string; message: string }[] } | null;
}

const deployment = (image: string, rollout?: unknown) => ({
  id: 'cam',
  target: { condition: "tags.env='prod'" },
  manifest: { modules: { cam: { image } } },
  ...(rollout ? { rollout } : {}),
});

describe('a canary wave narrowed to tagged devices, on the local stack', () => {
  let stack: AppStack;
  before(async () => {
    stack = await startAppStack({ eventHubs: true, iothub: { fleet: 8, seed: 10, agent: { applyDelayMs: { min: 50, max: 300 }, heartbeatMs: 60_000 } } });
  });
  after(async () => stack.stop());

  const api = () => stackRollouts<Status>(stack, 'cam');
  const weu = () => stack.iothub.simulator.hubs.find((h) => h.name === 'weu')!;
  /** The configuration IoT Hub applied to each prod device of a hub (by the simulator's $edgeAgent twin). */
  const appliedIn = (hub: typeof stack.iothub.simulator.hubs[number]) =>
    new Map(
      [...hub.devices.values()]
        .filter((d) => (d.twin.tags as { env?: string }).env === 'prod')
        .map((d) => [d.deviceId, Object.entries(d.modules.get('$edgeAgent')?.twin.configurations ?? {}).find(([, c]) => c.status === 'Applied')?.[0]]),
    );

  it('runs the canary devices first, then their region, then the rest, and completes', async () => {
    // An operator tags two of the canary region's prod devices as the canary ring.
    const prod = [...weu().devices.values()].filter((d) => (d.twin.tags as { env?: string }).env === 'prod');
    assert.ok(prod.length >= 3, 'the seeded fleet has prod devices in weu');
    const canaries = new Set(prod.slice(0, 2).map((d) => d.deviceId));
    for (const d of prod) (d.twin.tags as Record<string, unknown>).ring = canaries.has(d.deviceId) ? 'canary' : 'broad';
    weu().reevaluate();

    await api().call('deployments', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(deployment('contoso.azurecr.io/cam:1.0.0')) });
    await api().untilHealthy();

    const rollout = {
      waves: [
        { name: 'canary-devices', hubSelector: { names: ['weu'] }, deviceSelector: { ring: 'canary' }, soakSeconds: 0 },
        { name: 'canary-region', hubSelector: { names: ['weu'] }, soakSeconds: 0 },
        { name: 'rest', hubSelector: {}, soakSeconds: 0 },
      ],
      gate: { maxFailedPercent: 0, minSucceeded: 2 },
      onFailure: 'rollback',
    };
    await api().call('deployments/cam', { method: 'PUT', headers: { 'content-type': 'application/json', 'if-match': '"r1"' }, body: JSON.stringify(deployment('contoso.azurecr.io/cam:1.1.0', rollout)) });
    const first = appliedIn(weu());
    for (const [device, applied] of first) assert.equal(applied, canaries.has(device) ? 'cam-r2' : 'cam-r1', `${device} in the narrowed wave`);

    const last = await api().reconcileUntilSettled();
    const history = last?.rollout?.history ?? [];
    assert.deepEqual(last?.rollout?.waves.map((w) => w.deviceSelector), [{ ring: 'canary' }, null, null], '/status shows which wave is narrowed');
    assert.equal(last?.rollout?.phase, 'completed', JSON.stringify(history));
    assert.deepEqual(
      history.filter((h) => h.reason === 'GatePassed').map((h) => /^gate of wave '([^']+)' passed/.exec(h.message)?.[1]),
      ['canary-devices', 'canary-region', 'rest'],
      `every wave passed its gate, in order: ${JSON.stringify(history)}`,
    );
    for (const hub of stack.iothub.simulator.hubs) {
      for (const [device, applied] of appliedIn(hub)) assert.equal(applied, 'cam-r2', `${hub.name}/${device} at the end`);
      assert.deepEqual([...hub.configurations.items.keys()].filter((id) => id.startsWith('cam-')), ['cam-r2'], `${hub.name} holds the revision alone`);
    }
  });
});
