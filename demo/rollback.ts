// npm run demo:rollback — the issue 10 scenario on the local stack, nothing
// stubbed: a healthy revision runs on three regional hubs; a bad image is
// pushed with a progressive rollout (canary region first); in the simulator the
// image crashes in the canary region; the health gate fails from ingested device
// health and the fleet rolls back by itself. Prints the timeline, wave by wave,
// and ends with `rolled back` when it did (exit code 0), anything else exits 1.
import { type AppStack, startAppStack } from '../test/helpers/appStack';

const GOOD = 'contoso.azurecr.io/sensor:1.4.2';
const BAD = 'contoso.azurecr.io/sensor:2.0.0-bad';
const started = Date.now();
const stamp = () => `+${((Date.now() - started) / 1000).toFixed(1).padStart(5)} s`;
const say = (line: string) => console.log(`${stamp()}  ${line}`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Status {
  revision: number;
  devices: { succeeded: number; progressing: number; failed: number; offline: number };
  hubs: { hub: string; configurationId: string | null; state: string }[];
  rollout: { phase: string; revision: number; rollbackRevision: number | null; history: { at: string; wave: number; from: string | null; to: string; reason: string; message: string; figures?: { succeeded: number; failed: number; offline: number; failedPercent: number } }[] } | null;
}

const deployment = (image: string, rollout?: unknown) => ({
  id: 'sensor',
  target: { condition: "tags.env='prod'" },
  manifest: { modules: { sensor: { image } } },
  ...(rollout ? { rollout } : {}),
});

async function call(stack: AppStack, path: string, init: RequestInit & { key?: string } = {}) {
  const res = await stack.api(path, init);
  if (res.status >= 400) throw new Error(`${init.method ?? 'GET'} ${path}: ${res.status} ${await res.text()}`);
  return res;
}
const status = async (stack: AppStack) => (await (await call(stack, 'deployments/sensor/status')).json()) as Status;
// A pass now (the timer would do it every minute); 409 means one is already running.
const reconcile = async (stack: AppStack) => {
  const res = await stack.api('reconcile', { method: 'POST', key: stack.keys.masterKey });
  if (res.status !== 200 && res.status !== 409) throw new Error(`POST reconcile: ${res.status} ${await res.text()}`);
};

async function main(): Promise<boolean> {
  say('starting the local stack: Azurite, Event Hubs endpoint, IoT Hub simulator (weu, eus, sea), Functions host');
  const stack = await startAppStack({ eventHubs: true, iothub: { fleet: 8, seed: 10, agent: { applyDelayMs: { min: 50, max: 400 }, crashRestartMs: 300, failAfterRestarts: 3, heartbeatMs: 60_000 } } });
  try {
    await call(stack, 'deployments', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(deployment(GOOD)) });
    say(`revision 1 (${GOOD}) sent to every hub`);
    for (let s = await status(stack); s.devices.succeeded === 0 || s.devices.progressing > 0; s = await status(stack)) await sleep(500);
    say(`revision 1 healthy: ${(await status(stack)).devices.succeeded} devices succeeded`);

    const scenario = await fetch(`${stack.iothub.adminUrl}/admin/scenarios`, { method: 'POST', body: JSON.stringify({ kind: 'crashImage', image: '2.0.0-bad', hub: 'weu' }) });
    if (!scenario.ok) throw new Error(`scenario: ${scenario.status} ${await scenario.text()}`);
    say("simulator: modules running '2.0.0-bad' crash in region weu (crashImage scenario)");

    const rollout = {
      waves: [
        { name: 'canary', hubSelector: { names: ['weu'] }, soakSeconds: 120 },
        { name: 'americas', hubSelector: { names: ['eus'] }, soakSeconds: 120 },
        { name: 'asia', hubSelector: { names: ['sea'] }, soakSeconds: 120 },
      ],
      gate: { maxFailedPercent: 10, minSucceeded: 1 },
      onFailure: 'rollback',
    };
    await call(stack, 'deployments/sensor', { method: 'PUT', headers: { 'content-type': 'application/json', 'if-match': '"r1"' }, body: JSON.stringify(deployment(BAD, rollout)) });
    say(`revision 2 (${BAD}) pushed with a progressive rollout: canary (weu) -> americas (eus) -> asia (sea)`);

    let shown = 0;
    const deadline = Date.now() + 120_000;
    let last: Status | undefined;
    while (Date.now() < deadline) {
      await reconcile(stack);
      last = await status(stack);
      const history = last.rollout?.history ?? [];
      for (const h of history.slice(shown)) {
        const f = h.figures ? ` [succeeded ${h.figures.succeeded}, failed ${h.figures.failed} (${h.figures.failedPercent}%), offline ${h.figures.offline}]` : '';
        say(`wave ${h.wave}: ${h.from ?? 'start'} -> ${h.to} (${h.reason}) ${h.message}${f}`);
      }
      shown = history.length;
      if (last.rollout && ['rolledBack', 'completed', 'paused'].includes(last.rollout.phase)) break;
      await sleep(1000);
    }
    // One more pass so every hub's sync state and device counts show the rollback.
    await reconcile(stack);
    last = await status(stack);
    for (const hub of last.hubs) say(`hub ${hub.hub}: ${hub.configurationId ?? 'none'} (${hub.state})`);
    const rolledBack = last.rollout?.phase === 'rolledBack';
    console.log(rolledBack ? `rolled back (revision ${last.rollout?.rollbackRevision} restores revision 1 everywhere)` : `not rolled back: rollout is ${last.rollout?.phase ?? 'missing'}`);
    return rolledBack;
  } finally {
    await stack.stop();
  }
}

main().then(
  (ok) => process.exit(ok ? 0 : 1),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
