// Deployment semantics of the simulated hub (priority, layering, statuses,
// metrics as simulated edgeAgents apply and report), scenarios, faults and
// routed events; through the azure-iothub SDK and the admin API only.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type Configuration, type Registry } from 'azure-iothub';
import { type IotHubSimulatorHandle, type RoutedEvent } from '../../../local/iothub';
import { admin, edgeContent, registryFor, startSimulator, waitFor } from './simulatorFixture';

const fleet = {
  hubs: {
    weu: [
      { deviceId: 'canary-1', tags: { env: 'prod', ring: 'canary' } },
      { deviceId: 'broad-1', tags: { env: 'prod', ring: 'broad' } },
      { deviceId: 'broad-2', tags: { env: 'prod', ring: 'broad' } },
      { deviceId: 'staging-1', tags: { env: 'staging', ring: 'broad' } },
    ],
    eus: [{ deviceId: 'e-1', tags: { env: 'prod' } }],
  },
};

type TwinDoc = {
  configurations?: Record<string, { status: string }>;
  connectionState?: string;
  properties: { desired: Record<string, unknown>; reported: Record<string, unknown> };
};

type AgentReport = {
  lastDesiredVersion?: number;
  lastDesiredStatus?: { code: number };
  modules?: Record<string, { runtimeStatus?: string; restartCount: number; settings: { image: string } }>;
};

describe('simulated IoT Edge deployments', () => {
  let sim: IotHubSimulatorHandle;
  let registry: Registry;
  const add = (c: Omit<Configuration, 'schemaVersion'>) => registry.addConfiguration({ schemaVersion: '1.0', ...c });
  const config = async (id: string) => (await registry.getConfiguration(id)).responseBody;
  const agent = async (deviceId: string) => {
    const twin = (await registry.getModuleTwin(deviceId, '$edgeAgent')).responseBody as unknown as TwinDoc;
    return { twin, reported: twin.properties.reported as AgentReport, desired: twin.properties.desired as unknown as { $version: number; modules?: Record<string, { settings: { image: string } }> } };
  };
  const settled = (deviceId: string) =>
    waitFor(`${deviceId} to report its desired version`, async () => {
      const a = await agent(deviceId);
      return a.reported.lastDesiredVersion === a.desired.$version ? a : undefined;
    });
  const events = () => (sim.simulator.publisher as unknown as { events: RoutedEvent[] }).events;

  before(async () => {
    sim = await startSimulator({ fleet, limits: { configOpsPerMinutePerUnit: 100000, queriesPerMinutePerUnit: 100000 }, agent: { applyDelayMs: { min: 5, max: 30 }, crashRestartMs: 20, failAfterRestarts: 3, heartbeatMs: 100 } });
    registry = registryFor(sim, 'weu');
  });
  after(() => sim.stop());

  it('applies the highest-priority deployment, marks the others Targeted, and counts devices as they report', async () => {
    await add({ id: 'web-r1', content: edgeContent({ web: 'web:1' }), targetCondition: "tags.env = 'prod'", priority: 10, metrics: { queries: { onWeb1: "SELECT deviceId FROM devices.modules WHERE moduleId = '$edgeAgent' AND properties.reported.modules.web.settings.image = 'web:1'" }, results: {} } });
    await add({ id: 'web-canary-r2', content: edgeContent({ web: 'web:2' }), targetCondition: "tags.env = 'prod' AND tags.ring = 'canary'", priority: 20 });
    const canary = await agent('canary-1');
    assert.equal(canary.desired.modules?.web?.settings.image, 'web:2');
    assert.deepEqual(canary.twin.configurations, { 'web-canary-r2': { status: 'Applied' }, 'web-r1': { status: 'Targeted' } });
    assert.equal((await agent('broad-1')).desired.modules?.web?.settings.image, 'web:1');
    assert.equal((await agent('staging-1')).twin.configurations, undefined);
    const deviceTwin = (await registry.getTwin('broad-1')).responseBody as unknown as { configurations: Record<string, { status: string }> };
    assert.deepEqual(deviceTwin.configurations, { 'web-r1': { status: 'Applied' } });

    for (const id of ['canary-1', 'broad-1', 'broad-2']) {
      const done = await settled(id);
      assert.equal(done.reported.lastDesiredStatus?.code, 200);
      assert.equal(done.reported.modules?.web?.runtimeStatus, 'running');
    }
    const web = await config('web-r1');
    assert.deepEqual(web.systemMetrics?.results, { targetedCount: 3, appliedCount: 2, reportedSuccessfulCount: 2, reportedFailedCount: 0 });
    assert.deepEqual(web.metrics?.results, { onWeb1: 2 });
    assert.deepEqual((await config('web-canary-r2')).systemMetrics?.results, { targetedCount: 1, appliedCount: 1, reportedSuccessfulCount: 1, reportedFailedCount: 0 });
  });

  it('breaks a priority tie in favour of the newest deployment', async () => {
    await add({ id: 'tie-old', content: edgeContent({ api: 'api:1' }), targetCondition: "tags.env = 'staging'", priority: 5 });
    await new Promise((resolve) => setTimeout(resolve, 5));
    await add({ id: 'tie-new', content: edgeContent({ api: 'api:2' }), targetCondition: "tags.env = 'staging'", priority: 5 });
    const staging = await agent('staging-1');
    assert.equal(staging.desired.modules?.api?.settings.image, 'api:2');
    assert.deepEqual(staging.twin.configurations, { 'tie-new': { status: 'Applied' }, 'tie-old': { status: 'Targeted' } });
  });

  it('merges layered deployments on top of the base one', async () => {
    await add({ id: 'sidecar-layer', content: { modulesContent: { $edgeAgent: { 'properties.desired.modules.sidecar': { type: 'docker', status: 'running', settings: { image: 'sidecar:1' } } } } }, targetCondition: "tags.ring = 'broad' AND tags.env = 'prod'", priority: 1 });
    const broad = await agent('broad-2');
    assert.deepEqual(Object.keys(broad.desired.modules ?? {}).sort(), ['sidecar', 'web']);
    assert.equal(broad.twin.configurations?.['sidecar-layer']?.status, 'Applied');
    const done = await settled('broad-2');
    assert.equal(done.reported.modules?.sidecar?.settings.image, 'sidecar:1');
  });

  it('re-applies deployments when tags change', async () => {
    const before = await agent('broad-1');
    const from = events().length;
    await registry.updateTwin('broad-1', { tags: { ring: 'canary' } }, '*');
    const tagEvent = events().slice(from).find((e) => e.properties.deviceId === 'broad-1' && e.properties.moduleId === undefined);
    assert.deepEqual((tagEvent?.body as { tags: unknown }).tags, { ring: 'canary' });
    assert.equal(tagEvent?.systemProperties['iothub-message-source'], 'twinChangeEvents');
    const after = await agent('broad-1');
    assert.equal(after.desired.modules?.web?.settings.image, 'web:2');
    assert.ok(after.desired.$version > before.desired.$version);
    await settled('broad-1');
  });

  it('lets a scenario crash an image: backoff with growing restarts, then failed', async () => {
    await admin(sim, 'POST', '/admin/scenarios', { kind: 'crashImage', image: 'web:3', selector: "tags.ring = 'canary'" });
    await add({ id: 'web-r3', content: edgeContent({ web: 'web:3' }), targetCondition: "tags.env = 'prod' AND tags.ring = 'canary'", priority: 30 });
    const failed = await waitFor('web:3 to fail on canary-1', async () => {
      const a = await agent('canary-1');
      return a.reported.modules?.web?.runtimeStatus === 'failed' ? a : undefined;
    });
    assert.equal(failed.reported.modules?.web?.restartCount, 3);
    const backoffReports = events().filter((e) => e.properties.deviceId === 'canary-1' && (e.body as { properties?: { reported?: AgentReport } }).properties?.reported?.modules?.web?.runtimeStatus === 'backoff');
    assert.ok(backoffReports.length >= 1, 'backoff was reported while restarting');
    // Reports are routed as patches: later ones carry only what changed (the growing restartCount).
    const restartPatches = events().filter((e) => e.properties.deviceId === 'canary-1' && typeof (e.body as { properties?: { reported?: AgentReport } }).properties?.reported?.modules?.web?.restartCount === 'number');
    assert.ok(restartPatches.length >= 2, 'restarts were reported as they grew');
    await admin(sim, 'DELETE', '/admin/scenarios');
  });

  it('lets a scenario make an image flaky: restarts growing, always reported running, never failed', async () => {
    await admin(sim, 'POST', '/admin/scenarios', { kind: 'flakyImage', image: 'web:4', selector: "tags.ring = 'canary'" });
    await add({ id: 'web-r4', content: edgeContent({ web: 'web:4' }), targetCondition: "tags.env = 'prod' AND tags.ring = 'canary'", priority: 40 });
    const restarted = await waitFor('web:4 to restart past the crash limit on canary-1', async () => {
      const a = await agent('canary-1');
      return a.reported.modules?.web?.settings.image === 'web:4' && a.reported.modules.web.restartCount > 3 ? a : undefined;
    });
    assert.equal(restarted.reported.modules?.web?.runtimeStatus, 'running');
    const first = events().findIndex((e) => e.properties.deviceId === 'canary-1' && (e.body as { properties?: { reported?: AgentReport } }).properties?.reported?.modules?.web?.settings?.image === 'web:4');
    // Patches from the first web:4 report on: only what changed, and whatever runtimeStatus they carry is running.
    const reports = events().slice(first).flatMap((e) => {
      const web = e.properties.deviceId === 'canary-1' ? (e.body as { properties?: { reported?: AgentReport } }).properties?.reported?.modules?.web : undefined;
      return web ? [web] : [];
    });
    assert.ok(first >= 0 && reports.length > 3 && reports.every((m) => m.runtimeStatus === undefined || m.runtimeStatus === 'running'), 'every report says running');
    await admin(sim, 'DELETE', '/admin/scenarios');
  });

  it('lets a scenario slow image pulls down on a deterministic share of devices', async () => {
    const sea = registryFor(sim, 'sea');
    for (let i = 0; i < 4; i++) await sea.create({ deviceId: `slow-${i}`, capabilities: { iotEdge: true } });
    // Devices made through the registry start disconnected, as in IoT Hub; the simulated runtime connects them.
    await admin(sim, 'POST', '/admin/hubs/sea/connection', { connected: true, selector: "STARTSWITH(deviceId, 'slow-')" });
    await admin(sim, 'POST', '/admin/scenarios', { kind: 'slowPull', image: 'big:1', delayMs: 400, hub: 'sea', percent: 50 });
    const started = Date.now();
    await sea.addConfiguration({ schemaVersion: '1.0', id: 'big-r1', content: edgeContent({ big: 'big:1' }), targetCondition: "STARTSWITH(deviceId, 'slow-')", priority: 1 });
    const reportedAt = new Map<string, number>();
    await waitFor('all slow devices to report', async () => {
      for (let i = 0; i < 4; i++) {
        const twin = (await sea.getModuleTwin(`slow-${i}`, '$edgeAgent')).responseBody as unknown as TwinDoc;
        if (!reportedAt.has(`slow-${i}`) && (twin.properties.reported as AgentReport).lastDesiredVersion === twin.properties.desired.$version) reportedAt.set(`slow-${i}`, Date.now() - started);
      }
      return reportedAt.size === 4 ? true : undefined;
    });
    const slow = [...reportedAt.values()].filter((ms) => ms >= 400).length;
    assert.ok(slow >= 1 && slow <= 3, `some but not all devices pulled slowly (${slow})`);
    await admin(sim, 'DELETE', '/admin/scenarios');
  });

  it('counts a rejected deployment as reportedFailed', async () => {
    await admin(sim, 'POST', '/admin/scenarios', { kind: 'rejectDeployment', code: 400, hub: 'eus' });
    const eus = registryFor(sim, 'eus');
    await eus.addConfiguration({ schemaVersion: '1.0', id: 'eus-r1', content: edgeContent({ web: 'web:1' }), targetCondition: '*', priority: 1 });
    const metrics = await waitFor('the failure to be counted', async () => {
      const results = (await eus.getConfiguration('eus-r1')).responseBody.systemMetrics?.results;
      return results?.reportedFailedCount === 1 ? results : undefined;
    });
    assert.equal(metrics.reportedSuccessfulCount, 0);
    await admin(sim, 'DELETE', '/admin/scenarios');
  });

  it('routes twin changes, connection changes and heartbeats like IoT Hub message routing', async () => {
    const twinEvent = events().find((e) => e.systemProperties['iothub-message-source'] === 'twinChangeEvents' && e.properties.deviceId === 'broad-2');
    assert.ok(twinEvent);
    assert.match(String(twinEvent.properties.hubName), /^iot-[a-z]+-weu$/, 'the real IoT Hub name, as infra/ names hubs');
    assert.equal(twinEvent.systemProperties['user-id'], twinEvent.properties.hubName);
    assert.equal(twinEvent.properties.moduleId, '$edgeAgent');
    assert.equal(twinEvent.properties.opType, 'updateTwin');
    assert.equal(twinEvent.systemProperties['iothub-connection-device-id'], 'broad-2');
    assert.equal(typeof twinEvent.systemProperties['iothub-enqueuedtime'], 'number');
    assert.equal(twinEvent.partitionKey, 'broad-2');

    const from = events().length;
    const { devices } = await admin<{ devices: string[] }>(sim, 'POST', '/admin/hubs/weu/connection', { connected: false, selector: "tags.env = 'staging'" });
    assert.deepEqual(devices, ['staging-1']);
    assert.equal(((await registry.getTwin('staging-1')).responseBody as unknown as TwinDoc).connectionState, 'Disconnected');
    await add({ id: 'staging-r9', content: edgeContent({ api: 'api:9' }), targetCondition: "tags.env = 'staging'", priority: 50 });
    await new Promise((resolve) => setTimeout(resolve, 100));
    const offline = await agent('staging-1');
    assert.notEqual(offline.reported.lastDesiredVersion, offline.desired.$version, 'a disconnected device does not apply');
    await admin(sim, 'POST', '/admin/hubs/weu/connection', { connected: true, selector: "tags.env = 'staging'" });
    await settled('staging-1');
    const all = events().slice(from).filter((e) => e.systemProperties['iothub-message-source'] === 'deviceConnectionStateEvents');
    // The module identities ($edgeAgent, $edgeHub) connect and disconnect too, with moduleId set.
    assert.deepEqual(all.filter((e) => e.properties.moduleId !== undefined).map((e) => `${String(e.properties.moduleId)}:${String(e.properties.opType)}`).sort(), ['$edgeAgent:deviceConnected', '$edgeAgent:deviceDisconnected', '$edgeHub:deviceConnected', '$edgeHub:deviceDisconnected']);
    const connection = all.filter((e) => e.properties.moduleId === undefined);
    assert.deepEqual(connection.map((e) => e.properties.opType), ['deviceDisconnected', 'deviceConnected']);
    const [first, second] = connection.map((e) => (e.body as { sequenceNumber: string }).sequenceNumber);
    assert.ok(first! < second!, 'sequence numbers order the events');

    const heartbeat = await waitFor('a heartbeat', () => events().find((e) => e.systemProperties['iothub-message-source'] === 'Telemetry'));
    const body = heartbeat.body as { type: string; modules: Record<string, string> };
    assert.equal(body.type, 'heartbeat');
    assert.match(String(heartbeat.properties.hubName), /^iot-[a-z]+-(weu|eus)$/, 'the route enrichment ($iothubname)');
    assert.equal(heartbeat.systemProperties['iothub-connection-module-id'], '$edgeAgent');
  });

  it('takes a hub down (refused or 503) and makes it slow, without touching the others', async () => {
    const eus = registryFor(sim, 'eus');
    await admin(sim, 'PATCH', '/admin/hubs/weu', { outage: 'unavailable' });
    await assert.rejects(registry.get('broad-1'), (e: Error) => e.constructor.name === 'ServiceUnavailableError');
    await eus.get('e-1');
    await admin(sim, 'PATCH', '/admin/hubs/weu', { outage: 'refuse' });
    await assert.rejects(registryFor(sim, 'weu').get('broad-1'), (e: NodeJS.ErrnoException) => e.code === 'ECONNREFUSED');
    await admin(sim, 'PATCH', '/admin/hubs/weu', { outage: 'none', latencyMs: 150 });
    const started = Date.now();
    await registryFor(sim, 'weu').get('broad-1');
    assert.ok(Date.now() - started >= 150);
    await admin(sim, 'PATCH', '/admin/hubs/weu', { latencyMs: 0 });
  });
});
