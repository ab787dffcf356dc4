import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseDeploymentRequest } from '../../../shared/domain/deployments/parseDeploymentRequest';
import type { DeviceCounts } from '../../../shared/domain/rollout/conditions';
import { gateFigures, judgeGate } from '../../../shared/domain/rollout/gate';
import { commandRollout, evaluateRollout, reachedHubs, type RolloutPlan, type RolloutState, startRollout } from '../../../shared/domain/rollout/rolloutMachine';
import { planWaves, rolloutSchema } from '../../../shared/domain/rollout/rolloutSpec';

const t0 = Date.parse('2026-12-01T10:00:00Z');
const at = (s: number) => new Date(t0 + s * 1000);
const devices = (d: Partial<DeviceCounts> = {}): DeviceCounts => ({ succeeded: 0, progressing: 0, failed: 0, offline: 0, unknown: 0, ...d });
const plan = (over: Partial<RolloutPlan> = {}): RolloutPlan => ({
  waves: [
    { name: 'canary', hubs: ['weu'], soakSeconds: 300 },
    { name: 'rest', hubs: ['eus', 'sea'], soakSeconds: 300 },
  ],
  gate: { maxFailedPercent: 10, minSucceeded: 1 },
  onFailure: 'rollback',
  ...over,
});
const start = (over: Partial<RolloutPlan> = {}, fromRevision: number | null = 1) => startRollout({ deploymentId: 'web', revision: 2, fromRevision, plan: plan(over), now: at(0) });
const healthy = { hubsApplied: true, devices: devices({ succeeded: 10 }) };
const ok = (r: ReturnType<typeof commandRollout>): RolloutState => {
  if (!r.ok) assert.fail(r.error.message);
  return r.value;
};

describe('rollout spec', () => {
  it('puts each hub in the first wave that selects it, and hubs no wave selects in the last', () => {
    const spec = rolloutSchema.parse({ waves: [{ name: 'canary', hubSelector: { names: ['weu'] } }, { name: 'eu', hubSelector: { labels: { geo: 'eu' } } }], gate: { maxFailedPercent: 5 } });
    const hubs = [
      { name: 'weu', region: 'westeurope', labels: { geo: 'eu' } },
      { name: 'neu', region: 'northeurope', labels: { geo: 'eu' } },
      { name: 'eus', region: 'eastus', labels: {} as Record<string, string> },
    ];
    assert.deepEqual(
      planWaves(spec, hubs).map((w) => [w.name, w.hubs, w.soakSeconds]),
      [
        ['canary', ['weu'], 600],
        ['eu', ['neu', 'eus'], 600],
      ],
    );
    assert.equal(spec.onFailure, 'pause');
  });

  it('refuses a bad rollout with a pointer at the exact field', () => {
    const r = parseDeploymentRequest(
      {
        id: 'web',
        target: { condition: "tags.env='prod'" },
        manifest: { modules: { web: { image: 'nginx:1.25' } } },
        rollout: { waves: [{ name: 'a', hubSelector: {} }, { name: 'a', hubSelector: {}, soakSeconds: -1 }], gate: { maxFailedPercent: 101 }, onFailure: 'explode' },
      },
      'application/json',
      { registryCredentialNames: [] },
    );
    if (r.ok) assert.fail('accepted');
    const pointers = r.error.issues.map((i) => i.pointer).sort();
    assert.deepEqual(pointers, ['/rollout/gate/maxFailedPercent', '/rollout/onFailure', '/rollout/waves/1/name', '/rollout/waves/1/soakSeconds']);
  });

  it('refuses two waves with one name', () => {
    const r = rolloutSchema.safeParse({ waves: [{ name: 'a', hubSelector: {} }, { name: 'a', hubSelector: {} }], gate: { maxFailedPercent: 5 } });
    assert.equal(r.success, false);
    assert.deepEqual(r.error?.issues.map((i) => i.path), [['waves', 1, 'name']]);
  });
});

describe('rollout gate', () => {
  it('fails on failures at any time but passes only after the soak with enough succeeded devices', () => {
    const gate = { maxFailedPercent: 10, maxFailedCount: 3, minSucceeded: 2 };
    assert.equal(judgeGate(gate, gateFigures(devices({ succeeded: 9, failed: 1 })), false).outcome, 'wait');
    assert.equal(judgeGate(gate, gateFigures(devices({ succeeded: 5, failed: 4, progressing: 40 })), false).reason, 'FailedCountExceeded');
    assert.equal(judgeGate(gate, gateFigures(devices({ succeeded: 5, failed: 2 })), false).reason, 'FailedPercentExceeded');
    assert.equal(judgeGate(gate, gateFigures(devices({ succeeded: 1 })), true).reason, 'NotEnoughSucceeded');
    assert.equal(judgeGate(gate, gateFigures(devices({ succeeded: 2 })), true).outcome, 'pass');
  });

  it('never counts offline devices as failures; they have their own limit', () => {
    const figures = gateFigures(devices({ succeeded: 2, offline: 8 }));
    assert.equal(figures.failedPercent, 0);
    assert.equal(figures.offlinePercent, 80);
    assert.equal(judgeGate({ maxFailedPercent: 0, minSucceeded: 1 }, figures, true).outcome, 'pass');
    assert.equal(judgeGate({ maxFailedPercent: 0, minSucceeded: 1, maxOfflinePercent: 50 }, figures, true).reason, 'OfflinePercentExceeded');
  });
});

describe('rollout state machine', () => {
  it('applies, soaks and passes wave after wave until completed, recording every transition', () => {
    let s = start();
    assert.deepEqual([...reachedHubs(s).keys()], ['weu']);
    assert.equal(evaluateRollout(s, { hubsApplied: false, devices: devices() }, at(10)).phase, 'applying');
    s = evaluateRollout(s, healthy, at(20));
    assert.equal(s.phase, 'soaking');
    assert.equal(s.soakUntil, at(320).toISOString());
    assert.equal(evaluateRollout(s, healthy, at(100)).phase, 'soaking', 'the gate cannot pass during the soak');
    s = evaluateRollout(s, healthy, at(320));
    assert.equal(s.phase, 'applying');
    assert.equal(s.wave, 1);
    assert.deepEqual([...reachedHubs(s).keys()], ['weu', 'eus', 'sea']);
    s = evaluateRollout(evaluateRollout(s, healthy, at(330)), healthy, at(700));
    assert.equal(s.phase, 'completed');
    assert.deepEqual(
      s.history.map((h) => `${h.to}:${h.reason}`),
      ['applying:Started', 'soaking:HubsApplied', 'applying:GatePassed', 'soaking:HubsApplied', 'completed:GatePassed'],
    );
    assert.equal(s.history[2]?.figures?.succeeded, 10);
  });

  it('returns the same state when nothing changed, so the reconciler writes nothing', () => {
    const s = evaluateRollout(start(), healthy, at(20));
    assert.equal(evaluateRollout(s, healthy, at(30)), s);
  });

  it('fails the gate during the soak and rolls back, or pauses, as the deployment chose', () => {
    const failing = { hubsApplied: true, devices: devices({ succeeded: 3, failed: 7 }) };
    const soaking = evaluateRollout(start(), healthy, at(20));
    const rolling = evaluateRollout(soaking, failing, at(60));
    assert.equal(rolling.phase, 'rollingBack');
    assert.equal(rolling.history.at(-1)?.reason, 'FailedPercentExceeded');
    assert.equal(rolling.history.at(-1)?.figures?.failed, 7);
    assert.deepEqual([...reachedHubs(rolling).keys()], []);

    const paused = evaluateRollout(evaluateRollout(start({ onFailure: 'pause' }), healthy, at(20)), failing, at(60));
    assert.equal(paused.phase, 'paused');
    assert.equal(paused.paused?.by, 'gate');
    const first = evaluateRollout(evaluateRollout(start({}, null), healthy, at(20)), failing, at(60));
    assert.equal(first.phase, 'paused', 'a first revision has nothing to roll back to');
  });

  it('passes a wave that selects no hub', () => {
    const s = evaluateRollout(start({ waves: [{ name: 'empty', hubs: [], soakSeconds: 60 }, { name: 'all', hubs: ['weu'], soakSeconds: 60 }] }), healthy, at(1));
    assert.equal(s.wave, 1);
    assert.equal(s.history.at(-1)?.reason, 'EmptyWave');
  });

  it('pauses and resumes keeping the rest of the soak', () => {
    const soaking = evaluateRollout(start(), healthy, at(20));
    const paused = ok(commandRollout(soaking, 'pause', at(120)));
    assert.equal(paused.phase, 'paused');
    assert.equal(evaluateRollout(paused, healthy, at(1000)).phase, 'paused', 'a paused rollout waits for a person');
    const resumed = ok(commandRollout(paused, 'resume', at(1000)));
    assert.equal(resumed.phase, 'soaking');
    assert.equal(resumed.soakUntil, at(1200).toISOString());
    assert.equal(commandRollout(resumed, 'resume', at(1001)).ok, false);
  });

  it('resumes past a failed gate to the next wave when a person accepts it', () => {
    const failing = { hubsApplied: true, devices: devices({ succeeded: 3, failed: 7 }) };
    const paused = evaluateRollout(evaluateRollout(start({ onFailure: 'pause' }), healthy, at(20)), failing, at(60));
    const resumed = ok(commandRollout(paused, 'resume', at(100)));
    assert.equal(resumed.phase, 'applying');
    assert.equal(resumed.wave, 1);
    assert.equal(resumed.history.at(-1)?.reason, 'ResumedPastGate');
  });

  it('promotes by ending the soak now, and aborts into a rollback', () => {
    const soaking = evaluateRollout(start(), healthy, at(20));
    const promoted = ok(commandRollout(soaking, 'promote', at(30)));
    assert.equal(evaluateRollout(promoted, healthy, at(31)).wave, 1);
    assert.equal(commandRollout(start(), 'promote', at(1)).ok, false, 'nothing to promote before the hubs are applied');
    assert.equal(ok(commandRollout(soaking, 'abort', at(40))).phase, 'rollingBack');
    const refused = commandRollout(start({}, null), 'abort', at(1));
    assert.equal(refused.ok ? 0 : refused.error.status, 409);
  });
});
