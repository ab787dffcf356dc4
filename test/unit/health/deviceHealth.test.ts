import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyEvent, coalesce, type DeviceHealth, effectiveState } from '../../../shared/domain/health/deviceHealth';
import { type EventInput, type HealthEvent, parseHealthEvent } from '../../../shared/domain/health/healthEvents';
import { connectionStateEvent, heartbeatEvent, type RoutedEvent, twinChangeEvent } from '../../../local/iothub/events';

const source = { hubName: 'weu', deviceId: 'weu-edge-00001', moduleId: '$edgeAgent' };
const at = (s: number) => new Date(Date.UTC(2026, 10, 24, 12, 0, s));
/** As the Event Hub trigger delivers it: @azure/functions lower-cases the first letter of property keys. */
const delivered = (e: RoutedEvent): EventInput => ({
  body: JSON.parse(JSON.stringify(e.body)) as unknown,
  properties: Object.fromEntries(Object.entries(e.properties).map(([k, v]) => [k.charAt(0).toLowerCase() + k.slice(1), v])),
  systemProperties: e.systemProperties,
  enqueuedTimeUtc: new Date().toISOString(),
});
const parsed = (e: RoutedEvent): HealthEvent => {
  const p = parseHealthEvent(delivered(e));
  if (!p.ok) throw new Error(p.reason);
  return p.event;
};
const report = (version: number, code: number, modules: Record<string, unknown>, lastDesiredVersion = 3, s = version) =>
  parsed(twinChangeEvent(source, version, { properties: { reported: { lastDesiredVersion, lastDesiredStatus: { code }, modules } } }, 'updateTwin', at(s)));
const running = (image: string, restartCount = 0) => ({ runtimeStatus: 'running', restartCount, exitCode: 0, settings: { image } });

describe('health events', () => {
  it('parses the three kinds IoT Hub routes, as the trigger delivers them', () => {
    const r = report(5, 200, { web: running('nginx:1.25') });
    assert.equal(r.kind, 'agentReported');
    assert.deepEqual(r.kind === 'agentReported' && r.modules.web, { runtimeStatus: 'running', restartCount: 0, exitCode: 0, image: 'nginx:1.25' });
    const c = parsed(connectionStateEvent({ hubName: 'weu', deviceId: 'weu-edge-00001' }, false, 7n, at(1)));
    assert.deepEqual(c.kind === 'connection' && [c.connected, c.sequenceNumber.length], [false, 40]);
    const h = parsed(heartbeatEvent({ type: 'heartbeat', deviceId: 'weu-edge-00001', hubName: 'weu', sentAtUtc: at(2).toISOString(), modules: { web: 'running' } }));
    assert.equal(h.kind, 'heartbeat');
  });

  it('gives a reason for what it cannot use, and ignores what is not a health event', () => {
    const broken = delivered(connectionStateEvent({ hubName: 'weu', deviceId: 'd' }, true, 1n));
    const bad = parseHealthEvent({ ...broken, body: { sequenceNumber: 12 } });
    assert.equal(bad.ok, false);
    assert.equal(!bad.ok && bad.ignored, false);
    assert.match(!bad.ok ? bad.reason : '', /sequenceNumber/);
    const other = parseHealthEvent({ ...delivered(twinChangeEvent({ ...source, moduleId: 'web' }, 2, { properties: { reported: {} } }, 'updateTwin')) });
    assert.equal(!other.ok && other.ignored, true);
    const telemetry = parseHealthEvent({ body: {}, properties: {}, systemProperties: { 'iothub-message-source': 'Telemetry' }, enqueuedTimeUtc: at(0).toISOString() });
    assert.equal(!telemetry.ok && telemetry.ignored, true);
  });
});

describe('device health record', () => {
  const events: HealthEvent[] = [
    parsed(connectionStateEvent({ hubName: 'weu', deviceId: 'weu-edge-00001' }, true, 1n, at(0))),
    report(2, 200, { web: running('nginx:1.24') }, 2),
    parsed(connectionStateEvent({ hubName: 'weu', deviceId: 'weu-edge-00001' }, false, 2n, at(3))),
    parsed(connectionStateEvent({ hubName: 'weu', deviceId: 'weu-edge-00001' }, true, 3n, at(4))),
    report(4, 200, { web: running('nginx:1.25'), old: null }, 3),
    report(3, 200, { web: running('nginx:1.24'), old: running('busybox:1') }, 2),
    parsed(heartbeatEvent({ type: 'heartbeat', deviceId: 'weu-edge-00001', hubName: 'weu', sentAtUtc: at(5).toISOString(), modules: { web: 'running' } })),
  ];
  const fold = (list: readonly HealthEvent[]) => list.reduce<DeviceHealth | undefined>((r, e) => applyEvent(r, e), undefined)!;

  it('converges to the same record for every order and with duplicates (seeded shuffles)', () => {
    const expected = fold(events);
    let seed = 42;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let round = 0; round < 200; round++) {
      const shuffled = [...events, ...events.filter(() => random() < 0.3)].sort(() => random() - 0.5);
      assert.deepEqual(fold(shuffled), expected, `round ${round}`);
    }
  });

  it('never lets an older event overwrite newer state', () => {
    const r = fold(events);
    assert.equal(r.connection?.connected, true, 'the reconnect (sequence 3) wins over the disconnect (2)');
    assert.equal(r.modules.web?.value?.image, 'nginx:1.25', 'twin version 4 wins over 3');
    assert.equal(r.modules.old?.value, null, 'a module removed at version 4 is not revived by version 3');
    assert.equal(r.lastDesiredVersion?.value, 3);
    assert.equal(r.lastEventAt, at(5).toISOString());
  });

  it('coalesces a batch per device', () => {
    const other = report(1, 200, { web: running('nginx:1.25') });
    const batch = coalesce([...events, { ...other, deviceId: 'weu-edge-00002' }]);
    assert.deepEqual([...batch.keys()].sort(), ['weu|weu-edge-00001', 'weu|weu-edge-00002']);
    assert.deepEqual(batch.get('weu|weu-edge-00001'), fold(events));
  });
});

describe('derived state', () => {
  const now = at(30);
  const base = (extra: HealthEvent[] = []) => [report(2, 200, { web: running('nginx:1.25') }, 3, 20), ...extra].reduce<DeviceHealth | undefined>((r, e) => applyEvent(r, e), undefined)!;
  const desired = (version: number, image: string, s = 10) =>
    parsed(twinChangeEvent(source, 1, { properties: { desired: { $version: version, modules: { web: { status: 'running', settings: { image } } } } } }, 'updateTwin', at(s)));

  it('succeeded when the agent applied the desired version and every module runs the desired image', () => {
    assert.equal(effectiveState(base([desired(3, 'nginx:1.25')]), now, 600), 'succeeded');
  });
  it('progressing while the agent has not caught up with the desired version or image', () => {
    assert.equal(effectiveState(base([desired(4, 'nginx:1.25')]), now, 600), 'progressing');
    assert.equal(effectiveState(base([desired(3, 'nginx:1.26')]), now, 600), 'progressing');
  });
  it('failed on an edgeAgent error code, a failed module, or a crash loop', () => {
    assert.equal(effectiveState(base([report(3, 500, {}, 3, 21)]), now, 600), 'failed');
    assert.equal(effectiveState(base([report(3, 200, { web: { runtimeStatus: 'backoff', restartCount: 5 } }, 3, 21)]), now, 600), 'failed');
    assert.equal(effectiveState(base([report(3, 200, { web: { runtimeStatus: 'backoff', restartCount: 1 } }, 3, 21)]), now, 600), 'progressing', 'one restart is not a crash loop');
  });
  it('offline, never failed, when disconnected or silent past the threshold', () => {
    const failedThenGone = base([report(3, 500, {}, 3, 21), parsed(connectionStateEvent({ hubName: 'weu', deviceId: 'weu-edge-00001' }, false, 9n, at(22)))]);
    assert.equal(effectiveState(failedThenGone, now, 600), 'offline');
    assert.equal(effectiveState(base(), new Date(now.getTime() + 601_000), 600), 'offline');
  });
  it('unknown before the agent reported anything', () => {
    const justConnected = applyEvent(undefined, parsed(connectionStateEvent({ hubName: 'weu', deviceId: 'd' }, true, 1n, at(29))));
    assert.equal(effectiveState(justConnected, now, 600), 'unknown');
  });
});
