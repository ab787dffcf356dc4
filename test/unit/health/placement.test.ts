// Which configuration a device's health belongs to, the state it is stored in,
// and the table keys that place it.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { appliedConfiguration, applyEvent, type DeviceHealth, placementOf } from '../../../shared/domain/health/deviceHealth';
import type { HealthEvent } from '../../../shared/domain/health/healthEvents';
import { counterOfRowKey, counterRowKey, deviceIdOfRowKey, deviceRowKey, HEALTH_SHARDS, healthPartition, prefixEnd, shardOf } from '../../../shared/domain/health/healthKeys';

const base = { hub: 'weu', deviceId: 'd1' };
/** What a configuration writes on $edgeAgent: IoT Hub stamps its id on the modules (`configuration.id`); an empty map writes nothing. */
const desired = (twinVersion: number, configurations: Record<string, string | null>, at = '2026-11-30T10:00:00.000Z'): HealthEvent => {
  const id = Object.entries(configurations).find(([, s]) => s === 'Applied')?.[0];
  return {
    kind: 'agentDesired',
    ...base,
    twinVersion,
    at,
    replace: false,
    desiredVersion: twinVersion,
    modules: Object.keys(configurations).length ? { web: { image: 'nginx:1.25', status: 'running', configuration: id ?? null } } : {},
    systemModules: Object.keys(configurations).length ? { edgeAgent: { configuration: id ?? null } } : {},
  };
};
const reported = (twinVersion: number, code: number, at: string, runtimeStatus = 'running'): HealthEvent => ({
  kind: 'agentReported',
  ...base,
  twinVersion,
  at,
  lastDesiredVersion: 2,
  desiredStatusCode: code,
  replace: false,
  modules: { web: { runtimeStatus, image: 'nginx:1.25' } },
  systemModules: {},
});
const fold = (...events: HealthEvent[]) => events.reduce<DeviceHealth | undefined>((r, e) => applyEvent(r, e), undefined)!;

describe('device placement', () => {
  it('follows the configuration IoT Hub applied, whatever order the changes arrive in', () => {
    const events = [desired(1, { 'web-r1': 'Applied' }), desired(2, { 'web-r1': null, 'web-r2': 'Applied' })];
    assert.equal(appliedConfiguration(fold(...events)), 'web-r2');
    assert.equal(appliedConfiguration(fold(...[...events].reverse())), 'web-r2', 'an older change cannot bring back a removed configuration');
    assert.equal(appliedConfiguration(fold(desired(1, { 'web-r1': 'Targeted' }))), undefined, 'targeted but not applied writes no id');
  });

  it('is progressing once applied, succeeded when the agent reports it, failed on a failed code', () => {
    const applied = fold(desired(2, { 'web-r2': 'Applied' }));
    assert.deepEqual(placementOf(applied, 600), { configurationId: 'web-r2', state: 'progressing' });
    assert.deepEqual(placementOf(applyEvent(applied, reported(3, 200, '2026-11-30T10:01:00.000Z')), 600), { configurationId: 'web-r2', state: 'succeeded' });
    assert.equal(placementOf(applyEvent(applied, reported(3, 500, '2026-11-30T10:01:00.000Z')), 600).state, 'failed');
    assert.equal(placementOf(applyEvent(applied, reported(3, 200, '2026-11-30T10:01:00.000Z', 'failed')), 600).state, 'failed');
  });

  it('reads silence only against a given clock: stored placements never go offline by themselves', () => {
    const r = applyEvent(fold(desired(2, { 'web-r2': 'Applied' })), reported(3, 200, '2026-11-30T10:01:00.000Z'));
    assert.equal(placementOf(r, 600).state, 'succeeded', 'replayed a year later, the same answer');
    assert.equal(placementOf(r, 600, new Date('2026-11-30T10:11:01.000Z')).state, 'offline');
    assert.equal(placementOf(r, 600, new Date('2026-11-30T10:10:59.000Z')).state, 'succeeded');
    // A desired change is the service's doing, not a sign of life.
    const later = applyEvent(r, desired(4, {}, '2026-11-30T10:30:00.000Z'));
    assert.equal(later.lastSeenAt, '2026-11-30T10:01:00.000Z');
    assert.equal(later.lastEventAt, '2026-11-30T10:30:00.000Z');
  });
});

describe('health table keys', () => {
  it('spreads devices over the shards, the same way every time', () => {
    const shards = new Set(Array.from({ length: 200 }, (_, i) => shardOf(`edge-${i}`)));
    assert.equal(shards.size, HEALTH_SHARDS);
    assert.equal(healthPartition('weu', 'edge-7'), healthPartition('weu', 'edge-7'));
    assert.match(healthPartition('weu', 'edge-7'), /^weu~[0-7]$/);
  });

  it('escapes what Table keys cannot hold and reads it back exactly', () => {
    for (const id of ['plain', 'a?b#c', 'x/y\\z', '100%', "o'brien:(1)"]) {
      const key = deviceRowKey(id);
      assert.doesNotMatch(key, /[/\\#?]/);
      assert.equal(deviceIdOfRowKey(key), id);
      assert.deepEqual(counterOfRowKey(counterRowKey(id)), { configurationId: id, writer: '' });
      assert.deepEqual(counterOfRowKey(counterRowKey(id, 'p3')), { configurationId: id, writer: 'p3' }, 'one counter row per writer');
    }
    const isDevice = (key: string) => key >= 'd~' && key < prefixEnd('d~');
    assert.ok(isDevice(deviceRowKey('zz-99')) && isDevice(deviceRowKey("a'(0)")) && isDevice(deviceRowKey('%')));
    assert.ok(!isDevice(counterRowKey('web-r2')));
  });
});

describe('device record size', () => {
  it('does not grow with a deployment’s history', () => {
    let record: DeviceHealth | undefined;
    for (let r = 1; r <= 50; r++) {
      record = applyEvent(record, desired(r, { [`web-r${r}`]: 'Applied' }));
      // Each revision brings a new module and drops the previous one (null): tombstones must not pile up.
      record = applyEvent(record, { kind: 'agentDesired', ...base, twinVersion: r + 0.5, at: '2026-11-30T10:00:00.000Z', replace: false, modules: { [`m${r}`]: { image: 'x' }, [`m${r - 1}`]: null }, systemModules: {} });
    }
    assert.equal(appliedConfiguration(record!), 'web-r50');
    assert.ok(Object.keys(record!.desiredModules).length <= 10);
    // A stale report of an old revision cannot take over.
    assert.equal(appliedConfiguration(applyEvent(record, desired(3, { 'web-r3': 'Applied' }))), 'web-r50');
  });
});
