import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { DeviceCounts } from '../../../shared/domain/rollout/conditions';
import { gateFigures, judgeGate } from '../../../shared/domain/rollout/gate';
import { commandRollout, evaluateRollout, type RolloutPlan, type RolloutState, startRollout } from '../../../shared/domain/rollout/rolloutMachine';
import { gateSchema } from '../../../shared/domain/rollout/rolloutSpec';

const t0 = Date.parse('2026-12-01T10:00:00Z');
const at = (s: number) => new Date(t0 + s * 1000);
const devices = (d: Partial<DeviceCounts> = {}): DeviceCounts => ({ succeeded: 0, progressing: 0, failed: 0, offline: 0, unknown: 0, ...d });
const plan = (over: Partial<RolloutPlan> = {}): RolloutPlan => ({
  waves: [
    { name: 'canary', hubs: ['weu'], soakSeconds: 300 },
    { name: 'rest', hubs: ['eus'], soakSeconds: 300 },
  ],
  gate: { maxFailedPercent: 10, minSucceeded: 1, maxRestarts: 5 },
  onFailure: 'rollback',
  ...over,
});
const start = (over: Partial<RolloutPlan> = {}) => startRollout({ deploymentId: 'web', revision: 2, fromRevision: 1, plan: plan(over), now: at(0) });
/** Ten healthy devices whose modules restarted `restarts` times in all (never reported failed). */
const seen = (restarts: number | null, hubsApplied = true) => ({ hubsApplied, devices: devices({ succeeded: 10 }), restarts });
const ok = (r: ReturnType<typeof commandRollout>): RolloutState => {
  if (!r.ok) assert.fail(r.error.message);
  return r.value;
};

describe('restarts gate', () => {
  it('accepts maxRestarts as an optional whole number of at least 0', () => {
    assert.equal(gateSchema.parse({ maxFailedPercent: 10 }).maxRestarts, undefined);
    assert.equal(gateSchema.parse({ maxFailedPercent: 10, maxRestarts: 0 }).maxRestarts, 0);
    assert.equal(gateSchema.safeParse({ maxFailedPercent: 10, maxRestarts: -1 }).success, false);
    assert.equal(gateSchema.safeParse({ maxFailedPercent: 10, maxRestarts: 1.5 }).success, false);
  });

  it('fails on restarts above the limit before the soak is over, and never when there is no limit or no figure', () => {
    const gate = { maxFailedPercent: 10, minSucceeded: 1, maxRestarts: 5 };
    assert.equal(judgeGate(gate, gateFigures(devices({ succeeded: 10 }), 5), false).outcome, 'wait');
    const tripped = judgeGate(gate, gateFigures(devices({ succeeded: 10 }), 6), false);
    assert.deepEqual([tripped.outcome, tripped.reason], ['fail', 'RestartsExceeded']);
    assert.equal(judgeGate({ maxFailedPercent: 10, minSucceeded: 1 }, gateFigures(devices({ succeeded: 10 }), 600), true).outcome, 'pass');
    assert.equal(judgeGate(gate, gateFigures(devices({ succeeded: 10 }), null), true).outcome, 'pass');
  });

  it('counts restarts from the sum when the soak began, and trips during the soak with the figures recorded', () => {
    const applying = evaluateRollout(start(), seen(40, false), at(10));
    assert.equal(applying.gate?.figures.restartsDuringSoak, null, 'restarts while the wave applies are not the soak\'s');
    const soaking = evaluateRollout(applying, seen(40), at(20));
    assert.equal(soaking.phase, 'soaking');
    assert.equal(soaking.restartsBaseline, 40);
    assert.equal(soaking.gate?.figures.restartsDuringSoak, 0);

    const within = evaluateRollout(soaking, seen(45), at(60));
    assert.equal(within.phase, 'soaking');
    assert.equal(within.gate?.figures.restartsDuringSoak, 5);
    const tripped = evaluateRollout(within, seen(46), at(70));
    assert.equal(tripped.phase, 'rollingBack', 'a restart loop does not wait out the soak');
    const last = tripped.history.at(-1);
    assert.equal(last?.reason, 'RestartsExceeded');
    assert.deepEqual([last?.figures?.restartsDuringSoak, last?.figures?.failed], [6, 0], 'the failure thresholds saw nothing');
  });

  it('lowers the baseline when the sum falls, so a reset never hides the restarts after it', () => {
    const soaking = evaluateRollout(start(), seen(40), at(20));
    const reset = evaluateRollout(soaking, seen(30), at(40));
    assert.deepEqual([reset.restartsBaseline, reset.gate?.figures.restartsDuringSoak], [30, 0]);
    assert.equal(evaluateRollout(reset, seen(36), at(60)).history.at(-1)?.reason, 'RestartsExceeded');
  });

  it('takes the baseline at the first figure when the counts could not tell when the soak began', () => {
    const soaking = evaluateRollout(start(), seen(null), at(20));
    assert.equal(soaking.restartsBaseline, null);
    const counted = evaluateRollout(soaking, seen(12), at(30));
    assert.deepEqual([counted.restartsBaseline, counted.gate?.figures.restartsDuringSoak], [12, 0]);
    const { restartsBaseline: _absent, ...older } = soaking;
    assert.equal(evaluateRollout(older, seen(12), at(30)).restartsBaseline, 12, 'a rollout stored before restarts were counted');
  });

  it('keeps the baseline through a pause and resume', () => {
    const soaking = evaluateRollout(start(), seen(40), at(20));
    const paused = ok(commandRollout(evaluateRollout(soaking, seen(43), at(60)), 'pause', at(100)));
    const whilePaused = evaluateRollout(paused, seen(44), at(500));
    assert.deepEqual([whilePaused.phase, whilePaused.restartsBaseline, whilePaused.gate?.figures.restartsDuringSoak], ['paused', 40, 4]);
    const resumed = ok(commandRollout(whilePaused, 'resume', at(600)));
    assert.equal(resumed.restartsBaseline, 40);
    assert.equal(evaluateRollout(resumed, seen(46), at(610)).history.at(-1)?.reason, 'RestartsExceeded', 'restarts before and during the pause still count');
  });

  it('takes a new baseline for the next wave', () => {
    const soaking = evaluateRollout(start(), seen(40), at(20));
    const next = evaluateRollout(soaking, seen(44), at(320));
    assert.deepEqual([next.phase, next.wave, next.restartsBaseline], ['applying', 1, null]);
    const secondSoak = evaluateRollout(next, seen(3), at(330));
    assert.deepEqual([secondSoak.phase, secondSoak.restartsBaseline, secondSoak.gate?.figures.restartsDuringSoak], ['soaking', 3, 0]);

    const accepted = ok(commandRollout(evaluateRollout(evaluateRollout(start({ onFailure: 'pause' }), seen(0), at(20)), seen(9), at(30)), 'resume', at(40)));
    assert.deepEqual([accepted.wave, accepted.restartsBaseline], [1, null], 'a person accepting a failed wave starts the next one afresh');
  });
});
