// The fold of routed events into a device's health, as specifications: events
// come from the simulator's emitters (documented shapes), parsed as the trigger delivers them.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { connectionStateEvent, heartbeatEvent, lifecycleEvent, type RoutedEvent, twinChangeEvent } from '../../../local/iothub/events';
import { appliedConfiguration, applyEvent, coalesce, type DeviceHealth, effectiveState, isDeleted, moduleViews, placementOf } from '../../../shared/domain/health/deviceHealth';
import { type EventInput, type HealthEvent, parseHealthEvent } from '../../../shared/domain/health/healthEvents';
import { hubDirectory } from '../../../shared/domain/health/hubDirectory';

const REAL = 'iot-abcdefghijklm-weu';
const hubs = hubDirectory([{ name: 'weu', connection: `HostName=${REAL}.azure-devices.net;SharedAccessKeyName=iothubowner;SharedAccessKey=a2V5` }]);
const device = 'weu-edge-00001';
const agent = { hubName: REAL, deviceId: device, moduleId: '$edgeAgent' };
const at = (s: number) => new Date(Date.UTC(2026, 10, 24, 12, 0, s));
/** As the Event Hub trigger delivers it: @azure/functions lower-cases the first letter of property keys. */
const delivered = (e: RoutedEvent, enqueued?: Date): EventInput => ({
  body: JSON.parse(JSON.stringify(e.body)) as unknown,
  properties: Object.fromEntries(Object.entries(e.properties).map(([k, v]) => [k.charAt(0).toLowerCase() + k.slice(1), v])),
  systemProperties: e.systemProperties,
  enqueuedTimeUtc: (enqueued ?? new Date(Number(e.systemProperties['iothub-enqueuedtime']) + 20)).toISOString(),
});
const parsed = (e: RoutedEvent): HealthEvent[] => {
  const p = parseHealthEvent(delivered(e), { hubs });
  if (!p.ok) throw new Error(p.reason);
  return [...p.events];
};
const fold = (events: readonly HealthEvent[], start?: DeviceHealth) => events.reduce<DeviceHealth | undefined>((r, e) => applyEvent(r, e), start)!;
const reported = (version: number, patch: Record<string, unknown>, s = version) => parsed(twinChangeEvent(agent, version, { properties: { reported: patch } }, 'updateTwin', at(s)));
const desired = (version: number, patch: Record<string, unknown>, s = version) => parsed(twinChangeEvent(agent, version, { properties: { desired: patch } }, 'updateTwin', at(s)));
const running = (image: string, restartCount = 0) => ({ runtimeStatus: 'running', restartCount, exitCode: 0, settings: { image } });
const connection = (connected: boolean, n: bigint, s: number, moduleId?: string) => parsed(connectionStateEvent({ hubName: REAL, deviceId: device, ...(moduleId ? { moduleId } : {}) }, connected, n, at(s)));
const deployment = (id: string, image: string, $version: number) => ({
  $version,
  systemModules: { edgeAgent: { type: 'docker', settings: { image: 'agent:1.5' }, configuration: { id } }, edgeHub: { type: 'docker', settings: { image: 'hub:1.5' }, configuration: { id } } },
  modules: { web: { type: 'docker', status: 'running', settings: { image }, configuration: { id } } },
});
/** A device that applied web-r1 and runs it. */
const healthy = () => fold([...connection(true, 1n, 0), ...desired(2, deployment('web-r1', 'nginx:1.25', 2), 1), ...reported(3, { lastDesiredVersion: 2, lastDesiredStatus: { code: 200 }, systemModules: { edgeAgent: running('agent:1.5'), edgeHub: running('hub:1.5') }, modules: { web: running('nginx:1.25') } }, 2)]);
const now = at(30);

describe('routed events: identity and time come from IoT Hub', () => {
  it('maps the real IoT Hub name (user-id, hubName) to the configured hub', () => {
    const [e] = reported(5, { modules: { web: running('nginx:1.25') } });
    assert.equal(e!.hub, 'weu');
    assert.equal(hubs.resolve(`${REAL}.azure-devices.net`), 'weu', 'the host name too');
  });

  it('refuses events of hubs that are not configured, and bodies that disagree with the system properties', () => {
    const other = parseHealthEvent(delivered(twinChangeEvent({ ...agent, hubName: 'iot-someone-else' }, 2, { properties: { reported: {} } }, 'updateTwin')), { hubs });
    assert.deepEqual(!other.ok && other.refusal, 'rejected');
    const hb = heartbeatEvent(REAL, { type: 'heartbeat', deviceId: device, sentAtUtc: at(1).toISOString(), modules: {} }, at(1));
    const spoofed = parseHealthEvent(delivered({ ...hb, body: { ...(hb.body as object), deviceId: 'weu-edge-00002' } }), { hubs });
    assert.deepEqual(!spoofed.ok && spoofed.refusal, 'rejected');
    const forged = twinChangeEvent(agent, 3, { properties: { reported: {} } }, 'updateTwin');
    const mismatch = parseHealthEvent(delivered({ ...forged, properties: { ...forged.properties, deviceId: 'someone-else' } }), { hubs });
    assert.deepEqual(!mismatch.ok && mismatch.refusal, 'rejected');
  });

  it('bounds device clocks by the enqueued time: a heartbeat from 1500 or 9999 is recorded at the hub time', () => {
    for (const claimed of ['1500-01-01T00:00:00Z', '9999-12-31T00:00:00Z']) {
      const hb = heartbeatEvent(REAL, { type: 'heartbeat', deviceId: device, sentAtUtc: claimed, modules: {} }, at(7));
      const r = fold(parsed(hb));
      assert.equal(r.lastSeenAt, at(7).toISOString());
      assert.ok(Date.parse(r.heartbeat!.sentAt) >= Date.parse('1601-01-01T00:00:00Z') && Date.parse(r.heartbeat!.sentAt) <= at(7).getTime());
    }
  });

  it('gives a reason for malformed events and ignores what is not a health event', () => {
    const bad = parseHealthEvent({ ...delivered(connectionStateEvent({ hubName: REAL, deviceId: 'd' }, true, 1n)), body: { sequenceNumber: 12 } }, { hubs });
    assert.deepEqual(!bad.ok && [bad.refusal, /sequenceNumber/.test(bad.reason)], ['malformed', true]);
    const other = parseHealthEvent(delivered(twinChangeEvent({ ...agent, moduleId: 'web' }, 2, { properties: { reported: {} } }, 'updateTwin')), { hubs });
    assert.equal(!other.ok && other.refusal, 'ignored');
  });
});

describe('device health record', () => {
  it('merges reported patches: an absent key keeps its value, null removes it', () => {
    const r = fold(reported(4, { modules: { web: { restartCount: 1 } } }), healthy());
    assert.deepEqual(moduleViews(r.modules).web, { runtimeStatus: 'running', restartCount: 1, exitCode: 0, image: 'nginx:1.25' });
    assert.equal(effectiveState(r, now, 600), 'succeeded', 'a restart count bump is not a state change');
    const gone = fold(reported(5, { modules: { web: { exitCode: null } } }), r);
    assert.equal(moduleViews(gone.modules).web?.exitCode, undefined);
  });

  it('handles replaceTwin whole: what the replaced twin lacks is gone', () => {
    const replaced = parsed(twinChangeEvent(agent, 9, { deviceId: device, moduleId: '$edgeAgent', etag: 'x', tags: {}, properties: { desired: { $version: 3, modules: {} }, reported: { lastDesiredVersion: 2, lastDesiredStatus: { code: 200 }, modules: {} } } }, 'replaceTwin', at(9)));
    const r = fold(replaced, healthy());
    assert.deepEqual(moduleViews(r.desiredModules), {});
    assert.deepEqual(moduleViews(r.modules), {});
  });

  it('a module identity disconnecting updates that module, not the device', () => {
    const r = fold(connection(false, 5n, 5, '$edgeHub'), healthy());
    assert.equal(r.moduleConnections?.$edgeHub?.connected, false);
    assert.equal(r.connection?.connected, true);
    assert.equal(effectiveState(r, now, 600), 'succeeded');
  });

  it('a failed or crash-looping system module fails the device', () => {
    const r = fold(reported(4, { systemModules: { edgeHub: { runtimeStatus: 'failed', restartCount: 6 } } }), healthy());
    assert.equal(effectiveState(r, now, 600), 'failed');
    const looping = fold(reported(4, { systemModules: { edgeHub: { runtimeStatus: 'backoff', restartCount: 4 } } }), healthy());
    assert.equal(effectiveState(looping, now, 600), 'failed');
  });

  it('knows the deployment from the configuration.id IoT Hub stamps on the desired modules', () => {
    assert.equal(appliedConfiguration(healthy()), 'web-r1');
    const moved = fold(desired(4, { systemModules: { edgeAgent: { configuration: { id: 'web-r2' } }, edgeHub: { configuration: { id: 'web-r2' } } }, modules: { web: { settings: { image: 'nginx:1.26' }, configuration: { id: 'web-r2' } } }, $version: 3 }, 4), healthy());
    assert.equal(appliedConfiguration(moved), 'web-r2');
    assert.equal(effectiveState(moved, now, 600), 'progressing');
  });

  it('a deleted identity is counted nowhere; a re-created one starts afresh', () => {
    const deleted = fold(parsed(lifecycleEvent({ hubName: REAL, deviceId: device }, false, {}, at(20))), healthy());
    assert.ok(isDeleted(deleted));
    assert.deepEqual(placementOf(deleted, 600), { configurationId: '', state: 'unknown' });
    const late = fold(reported(2, { modules: { web: running('nginx:1.24') } }, 3), deleted);
    assert.ok(isDeleted(late), 'a late event of the deleted identity does not revive it');
    const again = fold(parsed(lifecycleEvent({ hubName: REAL, deviceId: device }, true, {}, at(25))), late);
    assert.ok(!isDeleted(again));
    assert.deepEqual(moduleViews(again.modules), {});
  });

  it('converges to the same record for every order and with duplicates (seeded shuffles)', () => {
    const events = [
      ...connection(true, 1n, 0),
      ...desired(2, deployment('web-r1', 'nginx:1.24', 2), 1),
      ...reported(3, { lastDesiredVersion: 2, lastDesiredStatus: { code: 200 }, modules: { web: running('nginx:1.24'), old: running('busybox:1') } }, 2),
      ...connection(false, 2n, 3),
      ...connection(true, 3n, 4),
      ...reported(4, { modules: { web: { restartCount: 2 }, old: null } }, 5),
      ...connection(false, 4n, 5, '$edgeHub'),
      ...parsed(heartbeatEvent(REAL, { type: 'heartbeat', deviceId: device, sentAtUtc: at(6).toISOString(), modules: { web: 'running' } }, at(6))),
    ];
    const expected = fold(events);
    assert.equal(moduleViews(expected.modules).web?.restartCount, 2);
    assert.equal(moduleViews(expected.modules).old, undefined, 'removed at version 4, not revived by version 3');
    let seed = 42;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let round = 0; round < 200; round++) {
      const shuffled = [...events, ...events.filter(() => random() < 0.3)].sort(() => random() - 0.5);
      assert.deepEqual(moduleViews(fold(shuffled).modules), moduleViews(expected.modules), `round ${round}`);
      assert.deepEqual({ ...fold(shuffled), modules: null }, { ...expected, modules: null }, `round ${round}`);
    }
  });

  it('coalesces a batch per device', () => {
    const batch = coalesce([...reported(1, { modules: { web: running('nginx:1.25') } }), { ...reported(1, { modules: {} })[0]!, deviceId: 'weu-edge-00002' }]);
    assert.deepEqual([...batch.keys()].sort(), ['weu|weu-edge-00001', 'weu|weu-edge-00002']);
  });

  it('offline, never failed, when disconnected or silent past the threshold; unknown before anything was reported', () => {
    assert.equal(effectiveState(fold(connection(false, 9n, 22), fold(reported(4, { lastDesiredStatus: { code: 500 } }), healthy())), now, 600), 'offline');
    assert.equal(effectiveState(healthy(), new Date(now.getTime() + 601_000), 600), 'offline');
    assert.equal(effectiveState(fold(connection(true, 1n, 29)), now, 600), 'unknown');
  });
});
