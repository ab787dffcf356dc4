// Which changes a heartbeat may leave unwritten for a while: only "seen again",
// and only by less than the liveness step.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyEvent, type DeviceHealth } from '../../../shared/domain/health/deviceHealth';
import type { HealthEvent } from '../../../shared/domain/health/healthEvents';
import { offlineJudgedAfterSeconds, onlyLivenessMoved } from '../../../shared/domain/health/liveness';

const heartbeat = (at: string, modules: Record<string, string> = { sensor: 'running' }): HealthEvent => ({ kind: 'heartbeat', hub: 'weu', deviceId: 'd1', at, sentAt: at, modules });
const stored: DeviceHealth = applyEvent(undefined, heartbeat('2026-12-01T10:00:00.000Z'));

describe('liveness writes', () => {
  it('defers a heartbeat that only moves lastSeenAt by less than the step', () => {
    assert.equal(onlyLivenessMoved(stored, applyEvent(stored, heartbeat('2026-12-01T10:04:59.000Z')), 300), true);
  });
  it('writes once lastSeenAt moved by the step', () => {
    assert.equal(onlyLivenessMoved(stored, applyEvent(stored, heartbeat('2026-12-01T10:05:00.000Z')), 300), false);
  });
  it('writes at once when the heartbeat says something new (a module status)', () => {
    assert.equal(onlyLivenessMoved(stored, applyEvent(stored, heartbeat('2026-12-01T10:00:30.000Z', { sensor: 'failed' })), 300), false);
  });
  it('writes at once when anything else changed (a connection)', () => {
    const next = applyEvent(stored, { kind: 'connection', hub: 'weu', deviceId: 'd1', connected: false, sequenceNumber: '01', at: '2026-12-01T10:00:30.000Z' });
    assert.equal(onlyLivenessMoved(stored, next, 300), false);
  });
  it('writes every change with a step of 0', () => {
    assert.equal(onlyLivenessMoved(stored, applyEvent(stored, heartbeat('2026-12-01T10:00:01.000Z')), 0), false);
  });
  it('judges silence against the offline threshold plus the step', () => {
    assert.equal(offlineJudgedAfterSeconds(600, 300), 900);
  });
});
