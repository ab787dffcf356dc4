// The web console in a real browser (Debian's chromium, playwright-core)
// against the whole local stack: Azurite, the Event Hubs endpoint, the IoT Hub
// simulator's fleet, health ingestion and the Functions host serving the
// console. One stack and one browser tab for the whole file; each test drives
// the API or the simulator and waits for the screen to say so.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import type { DeploymentStatus } from '../../../shared/services/deployments/deploymentStatus';
import type { DeviceHealthView } from '../../../shared/services/health/healthQueries';
import { type AppStack, startAppStack } from '../../helpers/appStack';
import { type Browser, chromiumPath, launchBrowser, noChromiumReason } from '../../helpers/browser';
import { projectRoot, waitFor } from '../../helpers/fixtureApp';
import { stackRollouts } from '../../helpers/stackRollouts';

// Screenshots land in docs/ only when asked (UPDATE_SCREENSHOTS=1), so a test run leaves the tree clean.
const shots = process.env.UPDATE_SCREENSHOTS === '1' ? join(projectRoot, 'docs', 'images') : mkdtempSync(join(tmpdir(), 'console-shots-'));
const GOOD = 'contoso.azurecr.io/sensor:1.4.2';
const BAD = 'contoso.azurecr.io/sensor:2.0.0-bad';
const json = { 'content-type': 'application/json' };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const sensorSpec = (image: string, rollout?: unknown) => ({
  id: 'sensor',
  labels: { team: 'line-3' },
  target: { condition: "tags.env='prod'" },
  manifest: { modules: { sensor: { image } } },
  ...(rollout ? { rollout } : {}),
});
const threeRegions = (soak: [number, number, number]) => [
  { name: 'canary', hubSelector: { names: ['weu'] }, soakSeconds: soak[0] },
  { name: 'americas', hubSelector: { names: ['eus'] }, soakSeconds: soak[1] },
  { name: 'asia', hubSelector: { names: ['sea'] }, soakSeconds: soak[2] },
];

/** Until `check` gives a value; on timeout, fails with the last thing it saw. */
async function eventually<T>(what: string, timeoutMs: number, check: () => Promise<{ ok: T } | { last: unknown }>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const result = await check();
    if ('ok' in result) return result.ok;
    if (Date.now() > deadline) assert.fail(`timed out after ${timeoutMs} ms waiting for ${what}; last seen: ${JSON.stringify(result.last)}`);
    await sleep(250);
  }
}

const attr = async (page: Page, selector: string, name: string) => (await page.locator(selector).first().getAttribute(name)) ?? undefined;
const text = async (page: Page, selector: string) => ((await page.locator(selector).first().textContent()) ?? '').trim();

/** The per-hub bars of one deployment on the overview: hub -> state -> count. */
async function barsOnScreen(page: Page, deployment: string): Promise<Record<string, Record<string, number>>> {
  const out: Record<string, Record<string, number>> = {};
  for (const row of await page.locator(`[data-deployment="${deployment}"] tr[data-hub]`).all()) {
    const hub = (await row.getAttribute('data-hub')) ?? '?';
    const counts: Record<string, number> = {};
    for (const seg of await row.locator('[data-state]').all()) counts[(await seg.getAttribute('data-state')) ?? '?'] = Number(await seg.getAttribute('data-count'));
    out[hub] = counts;
  }
  return out;
}
const nonZero = (counts: Record<string, number> | null) => Object.fromEntries(Object.entries(counts ?? {}).filter(([, n]) => n > 0));

describe('web console in chromium, against the whole local stack', { skip: chromiumPath() ? false : noChromiumReason }, () => {
  let stack: AppStack;
  let browser: Browser;
  let page: Page;
  let consoleUrl: string;

  before(async () => {
    stack = await startAppStack({
      eventHubs: true,
      iothub: { fleet: 10, seed: 10, agent: { applyDelayMs: { min: 50, max: 400 }, crashRestartMs: 300, failAfterRestarts: 3, heartbeatMs: 60_000 } },
    });
    consoleUrl = `${stack.baseUrl}/console/`;
    browser = await launchBrowser();
    page = await browser.context.newPage();
  });
  after(async () => {
    await browser?.close();
    await stack?.stop();
  });

  it('asks for the function key once, then shows the sample deployment with per-hub bars that match /status', async () => {
    const sample = stackRollouts<DeploymentStatus>(stack, 'temperature-sensor');
    await sample.call('deployments', { method: 'POST', headers: json, body: readFileSync(join(projectRoot, 'docs', 'samples', 'deployment.json'), 'utf8') });
    await sample.untilHealthy();
    await sample.reconcile(); // the hubs' reachability and counts, as the timer would record them

    await page.goto(consoleUrl);
    await page.getByRole('textbox', { name: 'Function key' }).fill(stack.keys.functionKey);
    await page.getByRole('button', { name: 'Use key' }).click();
    await page.locator('[data-deployment="temperature-sensor"]').waitFor({ timeout: 15_000 });
    await page.evaluate('window.__sameDocument = true');

    const bars = await eventually<Record<string, Record<string, number>>>('the bars to match /status', 30_000, async () => {
      const status = await sample.status();
      const expected = Object.fromEntries(status.hubs.map((h) => [h.hub, nonZero(h.devices)]));
      const screen = await barsOnScreen(page, 'temperature-sensor');
      // Compared once every hub's devices have reported (the sample reaches env=staging devices on all three).
      const settled = status.hubs.length === 3 && status.hubs.every((h) => (h.devices?.succeeded ?? 0) > 0 && h.devices?.progressing === 0);
      return settled && JSON.stringify(screen) === JSON.stringify(expected) ? { ok: screen } : { last: { screen, expected } };
    });
    assert.deepEqual(Object.keys(bars).sort(), ['eus', 'sea', 'weu']);
    // The accessible name carries the counts, not only the colours.
    assert.match((await attr(page, '[data-deployment="temperature-sensor"] tr[data-hub="weu"] [role="img"]', 'aria-label')) ?? '', /temperature-sensor on weu: \d+ devices: \d+ succeeded/);
    // Hubs: region, reachability, device counts.
    await page.locator('[data-testid="hubs"] tr[data-hub="weu"]', { hasText: 'reachable' }).waitFor({ timeout: 15_000 });
    assert.match(await text(page, '[data-testid="hubs"] tr[data-hub="weu"]'), /westeurope/);

    // A reload keeps the key (sessionStorage): asked for once per session.
    await page.reload();
    await page.locator('[data-deployment="temperature-sensor"]').waitFor({ timeout: 15_000 });
    assert.equal(await page.getByRole('textbox', { name: 'Function key' }).count(), 0);
    await page.evaluate('window.__sameDocument = true');
  });

  it('refreshes the overview with one request per deployment and none per device, and fits a phone', async () => {
    const paths: string[] = [];
    const record = (r: { url(): string }) => paths.push(new URL(r.url()).pathname);
    page.on('request', record);
    await sleep(5_600); // one whole refresh period of the overview (5 s)
    page.off('request', record);
    assert.ok(paths.length > 0, 'the overview refreshes by itself');
    for (const p of paths) assert.match(p, /^\/api\/(deployments|hubs|deployments\/[^/]+\/status)$/, `unexpected request ${p}`);
    assert.ok(paths.filter((p) => p.endsWith('/status')).length <= 2, `status requests: ${paths.join(' ')}`);

    await page.setViewportSize({ width: 390, height: 844 });
    const overflow = Number(await page.evaluate('document.documentElement.scrollWidth - window.innerWidth'));
    assert.ok(overflow <= 0, `the overview scrolls sideways by ${overflow}px on a phone`);
    await page.setViewportSize({ width: 1280, height: 900 });
  });

  it('shows a progressive rollout advance wave by wave without a reload', async () => {
    const sensor = stackRollouts<DeploymentStatus>(stack, 'sensor');
    await sensor.call('deployments', { method: 'POST', headers: json, body: JSON.stringify(sensorSpec(GOOD)) });
    await sensor.untilHealthy();
    await sensor.call('deployments/sensor', {
      method: 'PUT',
      headers: { ...json, 'if-match': '"r1"' },
      body: JSON.stringify(sensorSpec('contoso.azurecr.io/sensor:1.4.3', { waves: threeRegions([1, 1, 1]), gate: { maxFailedPercent: 10, minSucceeded: 1 }, onFailure: 'pause' })),
    });
    await page.getByRole('link', { name: 'sensor', exact: true }).click({ timeout: 15_000 });
    await page.locator('[data-testid="waves"]').waitFor({ timeout: 15_000 });

    // Each pass may move the rollout; after each, the screen must show where it is before the next.
    const seen: string[] = [];
    for (let pass = 0; pass < 40; pass++) {
      await sensor.reconcile();
      const r = (await sensor.status()).rollout!;
      const current = r.phase === 'completed' ? 'completed' : r.currentWave.name;
      await eventually(`the screen to show ${current} (${r.phase})`, 15_000, async () => {
        const phase = await text(page, '[data-testid="phase"]');
        const onScreen = r.phase === 'completed' ? 'completed' : await attr(page, '[data-wave][data-state="current"]', 'data-wave');
        return phase === r.phase && onScreen === current ? { ok: true } : { last: { phase, onScreen } };
      });
      if (seen.at(-1) !== current) seen.push(current);
      if (r.phase === 'completed') break;
      await sleep(500);
    }
    assert.deepEqual(seen, ['canary', 'americas', 'asia', 'completed']);
    assert.equal(await page.locator('[data-wave][data-state="done"]').count(), 3);
    assert.ok((await page.locator('[data-testid="timeline"] li[data-reason="GatePassed"]').count()) >= 3, 'the timeline shows each gate passing');
    assert.equal(await page.evaluate('window.__sameDocument'), true, 'the page was reloaded');
  });

  it('pauses and resumes the rollout from the console, each after a confirmation', async () => {
    const sensor = stackRollouts<DeploymentStatus>(stack, 'sensor');
    const before = await sensor.status();
    await sensor.call('deployments/sensor', {
      method: 'PUT',
      headers: { ...json, 'if-match': `"r${before.revision}"` },
      body: JSON.stringify(sensorSpec('contoso.azurecr.io/sensor:1.4.4', { waves: threeRegions([0, 600, 600]), gate: { maxFailedPercent: 10, maxFailedCount: 3, minSucceeded: 1, maxRestarts: 20 }, onFailure: 'rollback' })),
    });
    await waitFor(async () => {
      await sensor.reconcile();
      const r = (await sensor.status()).rollout;
      return r?.phase === 'soaking' && r.currentWave.name === 'americas' && r.gate ? true : (await sleep(500), undefined);
    }, 60_000, 'the americas wave to soak');
    await page.locator('[data-wave="americas"][data-state="current"] [data-testid="soak-left"]').waitFor({ timeout: 15_000 });
    await page.locator('[data-testid="gate"] [data-gate="failedPercent"][data-ok="true"]').waitFor({ timeout: 15_000 });
    await page.screenshot({ path: join(shots, 'console-rollout.png'), fullPage: true });

    await page.getByRole('button', { name: 'Pause', exact: true }).click();
    const dialog = page.getByRole('dialog');
    await dialog.waitFor();
    assert.match(await dialog.innerText(), /Wave "americas" \(eus, \d+ devices?\) stops where it is/);
    await dialog.getByRole('button', { name: 'Pause rollout' }).click();
    await page.locator('[data-testid="phase"]', { hasText: 'paused' }).waitFor({ timeout: 10_000 });
    assert.equal((await sensor.status()).rollout?.phase, 'paused');
    assert.match(await text(page, '[data-testid="announcer"]'), /Pause: the rollout is now paused/);

    // Resume by keyboard: Cancel has the focus first, Tab moves to the action.
    await page.getByRole('button', { name: 'Resume', exact: true }).focus();
    await page.keyboard.press('Enter');
    await dialog.waitFor();
    assert.match(await dialog.innerText(), /goes on with the rest of its soak/);
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await page.locator('[data-testid="phase"]', { hasText: 'soaking' }).waitFor({ timeout: 10_000 });
    assert.equal((await sensor.status()).rollout?.phase, 'soaking');
  });

  it('shows the canary gate failing on a crashing image and the fleet rolling back', async () => {
    const sensor = stackRollouts<DeploymentStatus>(stack, 'sensor');
    const scenario = await fetch(`${stack.iothub.adminUrl}/admin/scenarios`, { method: 'POST', body: JSON.stringify({ kind: 'crashImage', image: '2.0.0-bad', hub: 'weu' }) });
    assert.ok(scenario.ok, `scenario: ${scenario.status}`);
    const before = await sensor.status();
    await sensor.call('deployments/sensor', {
      method: 'PUT',
      headers: { ...json, 'if-match': `"r${before.revision}"` },
      body: JSON.stringify(sensorSpec(BAD, { waves: threeRegions([120, 120, 120]), gate: { maxFailedPercent: 10, minSucceeded: 1 }, onFailure: 'rollback' })),
    });
    const settled = await sensor.reconcileUntilSettled(120_000);
    assert.equal(settled?.rollout?.phase, 'rolledBack', JSON.stringify(settled?.rollout?.history));
    await sensor.reconcile();
    const status = await sensor.status();
    const rollbackRevision = status.rollout!.rollbackRevision!;

    await page.locator('[data-testid="phase"]', { hasText: 'rolledBack' }).waitFor({ timeout: 15_000 });
    await page.locator('[data-testid="timeline"] li[data-reason="FailedPercentExceeded"]').waitFor();
    assert.match(await text(page, '[data-testid="timeline"] li[data-reason="FailedPercentExceeded"]'), /soaking → rollingBack|applying → rollingBack/);
    assert.match(await text(page, '[data-testid="timeline"] li[data-reason="FailedPercentExceeded"] .figures'), /[1-9]\d* failed/);
    await page.locator('[data-testid="timeline"] li[data-reason="RolledBack"]').waitFor();
    assert.equal(await page.locator('[data-wave="americas"][data-state="waiting"]').count(), 1, 'the americas wave never started');
    // Every hub is sent the rollback revision.
    await eventually('every hub on the rollback revision', 15_000, async () => {
      const badges = await page.locator('section[aria-labelledby="rollout-hubs"] tr[data-hub] .badge').allTextContents();
      return badges.length === 3 && badges.every((b) => b.trim() === `r${rollbackRevision}`) ? { ok: true } : { last: badges };
    });
    if (status.rollout?.gate?.outcome === 'fail') await page.locator('[data-gate="failedPercent"][data-ok="false"]').waitFor();
  });

  it("drills down to a failing device and shows its module's exit code", async () => {
    const sample = stackRollouts<DeploymentStatus>(stack, 'temperature-sensor');
    const scenario = await fetch(`${stack.iothub.adminUrl}/admin/scenarios`, { method: 'POST', body: JSON.stringify({ kind: 'crashImage', image: '6.6.6-crash', hub: 'sea' }) });
    assert.ok(scenario.ok, `scenario: ${scenario.status}`);
    const head = await sample.status();
    await sample.call('deployments/temperature-sensor', {
      method: 'PATCH',
      headers: { 'content-type': 'application/merge-patch+json', 'if-match': `"r${head.revision}"` },
      body: JSON.stringify({ manifest: { modules: { SimulatedTemperatureSensor: { image: 'mcr.microsoft.com/azureiotedge-simulated-temperature-sensor:6.6.6-crash' } } } }),
    });
    await waitFor(async () => ((await sample.status()).devices.failed > 0 ? true : (await sleep(500), undefined)), 60_000, 'a failed device');

    await page.getByRole('link', { name: 'Fleet console' }).click();
    await page.locator('[data-deployment="temperature-sensor"] a', { hasText: 'devices' }).click();
    await page.getByRole('link', { name: 'failed', exact: true }).click();
    await page.getByRole('heading', { name: 'failed devices, page 1' }).waitFor();
    const first = page.locator('[data-testid="devices"] tr[data-device] a').first();
    await first.waitFor({ timeout: 15_000 });
    const deviceId = (await first.textContent())!.trim();
    assert.match(deviceId, /^sea-edge-/);
    await first.click();

    const device = (await (await sample.call(`hubs/sea/devices/${deviceId}/health`)).json()) as DeviceHealthView;
    const exitCode = device.modules.SimulatedTemperatureSensor?.exitCode;
    assert.ok(exitCode !== null && exitCode !== undefined && exitCode !== 0, `the API reports exit code ${exitCode}`);
    const row = page.locator('[data-testid="modules"] tr[data-module="SimulatedTemperatureSensor"]');
    await row.waitFor({ timeout: 15_000 });
    assert.equal(await row.locator('[data-testid="exit-code"]').innerText(), String(exitCode));
    assert.match(await row.innerText(), /failed|backoff/);
    assert.match(await row.innerText(), /6\.6\.6-crash/);
    assert.equal(await text(page, '[data-testid="device-state"]'), 'failed');

    // The overview with everything the tests made, for the README.
    await page.getByRole('link', { name: 'Fleet console' }).click();
    await page.locator('[data-deployment="sensor"] tr[data-hub]').first().waitFor();
    await page.screenshot({ path: join(shots, 'console-overview.png'), fullPage: true });
  });

  it('shows the diff between two revisions and rolls back to one of them after a confirmation', async () => {
    const sensor = stackRollouts<DeploymentStatus>(stack, 'sensor');
    const head = await sensor.status();
    await page.locator('[data-deployment="sensor"] a', { hasText: 'sensor' }).first().click();
    await page.getByRole('link', { name: 'revisions and rollback' }).click();
    await page.locator(`[data-testid="revisions"] tr[data-revision="${head.revision}"]`).waitFor({ timeout: 15_000 });

    await page.getByRole('combobox', { name: /^From revision/ }).selectOption('1');
    await page.getByRole('combobox', { name: /^to revision/ }).selectOption('2');
    const diff = await page.locator('[data-testid="diff"]').innerText();
    const removed = diff.split('\n').filter((l) => l.startsWith('- ')).join('\n');
    const added = diff.split('\n').filter((l) => l.startsWith('+ ')).join('\n');
    assert.match(removed, /sensor:1\.4\.2/, diff);
    assert.match(added, /sensor:1\.4\.3/, diff);
    assert.doesNotMatch(`${removed}\n${added}`, /team|line-3/, 'an unchanged field shows as changed');

    await page.locator('[data-testid="revisions"] tr[data-revision="1"]').getByRole('button', { name: 'Roll back to 1' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.waitFor();
    const said = await dialog.innerText();
    assert.match(said, new RegExp(`A new revision ${head.revision + 1}, equal to revision 1, goes at once to every hub it selects`));
    assert.match(said, /\d+ devices? there now/);
    await dialog.getByRole('button', { name: 'Roll back to revision 1' }).click();

    const rolled = await eventually<DeploymentStatus>('the rollback revision', 15_000, async () => {
      const status = await sensor.status();
      return status.revision === head.revision + 1 ? { ok: status } : { last: status.revision };
    });
    const revisions = (await (await sensor.call('deployments/sensor/revisions')).json()) as { items: { revision: number; spec: { manifest: { modules: { sensor: { image: string } } } } }[] };
    const made = revisions.items.find((r) => r.revision === rolled.revision);
    assert.equal(made?.spec.manifest.modules.sensor.image, GOOD, 'the new revision is not revision 1');
    await page.locator(`[data-testid="revisions"] tr[data-revision="${rolled.revision}"] .badge`, { hasText: 'current' }).waitFor({ timeout: 15_000 });
    assert.match(await text(page, '[data-testid="announcer"]'), /Rolled back: a new revision equal to revision 1/);
  });
});
