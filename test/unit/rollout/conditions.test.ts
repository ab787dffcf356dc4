import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { computeConditions, type Condition, defaultConditionPolicy, type Observation } from '../../../shared/domain/rollout/conditions';

const t0 = new Date('2026-11-24T12:00:00Z');
const at = (seconds: number) => new Date(t0.getTime() + seconds * 1000);
const devices = (d: Partial<Observation['devices']> = {}) => ({ succeeded: 0, progressing: 0, failed: 0, offline: 0, unknown: 0, ...d });
const obs = (o: Partial<Observation> = {}): Observation => ({ revision: 1, now: t0, hubs: { applied: 3, pending: 0, failed: 0 }, devices: devices(), lastProgressAt: t0, ...o });
const byType = (cs: Condition[]) => Object.fromEntries(cs.map((c) => [c.type, c]));

describe('rollout conditions', () => {
  it('is Progressing while hubs sync or devices apply, and Complete when every reachable device succeeded', () => {
    const syncing = byType(computeConditions(obs({ hubs: { applied: 2, pending: 1, failed: 0 } }), defaultConditionPolicy, []));
    assert.equal(syncing.Progressing?.reason, 'HubsSyncing');
    assert.equal(syncing.Complete?.status, 'False');
    const applying = byType(computeConditions(obs({ devices: devices({ succeeded: 5, progressing: 2 }) }), defaultConditionPolicy, []));
    assert.equal(applying.Progressing?.reason, 'DevicesApplying');
    const done = byType(computeConditions(obs({ devices: devices({ succeeded: 7, offline: 3 }) }), defaultConditionPolicy, []));
    assert.equal(done.Complete?.status, 'True');
    assert.equal(done.Complete?.reason, 'AllReachableDevicesSucceeded');
  });

  it('never counts offline devices as failures', () => {
    const c = byType(computeConditions(obs({ devices: devices({ succeeded: 10, offline: 90 }) }), defaultConditionPolicy, []));
    assert.equal(c.Degraded?.status, 'False');
    assert.equal(c.Complete?.status, 'True');
  });

  it('is Degraded when failures pass the threshold, or a hub cannot be synced', () => {
    const failing = byType(computeConditions(obs({ devices: devices({ succeeded: 8, failed: 2 }) }), defaultConditionPolicy, []));
    assert.equal(failing.Degraded?.reason, 'DeviceFailures');
    const under = byType(computeConditions(obs({ devices: devices({ succeeded: 95, failed: 5 }) }), defaultConditionPolicy, []));
    assert.equal(under.Degraded?.status, 'False');
    const hub = byType(computeConditions(obs({ hubs: { applied: 2, pending: 0, failed: 1 } }), defaultConditionPolicy, []));
    assert.equal(hub.Degraded?.reason, 'HubSyncFailed');
  });

  it('sets ProgressDeadlineExceeded when nothing moved for longer than the deadline', () => {
    const stuck = byType(computeConditions(obs({ now: at(601), devices: devices({ progressing: 4 }) }), defaultConditionPolicy, []));
    assert.equal(stuck.ProgressDeadlineExceeded?.status, 'True');
    assert.equal(stuck.Progressing?.status, 'False');
    assert.equal(stuck.Progressing?.reason, 'ProgressDeadlineExceeded');
    const recent = byType(computeConditions(obs({ now: at(601), lastProgressAt: at(590), devices: devices({ progressing: 4 }) }), defaultConditionPolicy, []));
    assert.equal(recent.ProgressDeadlineExceeded?.status, 'False');
  });

  it('keeps lastTransitionTime while a status holds, and starts afresh for a new revision', () => {
    const first = computeConditions(obs({ devices: devices({ progressing: 4 }) }), defaultConditionPolicy, []);
    const later = computeConditions(obs({ now: at(30), lastProgressAt: at(30), devices: devices({ succeeded: 1, progressing: 3 }) }), defaultConditionPolicy, first);
    assert.equal(byType(later).Progressing?.lastTransitionTime, t0.toISOString());
    const done = computeConditions(obs({ now: at(60), devices: devices({ succeeded: 4 }) }), defaultConditionPolicy, later);
    assert.equal(byType(done).Complete?.lastTransitionTime, at(60).toISOString());
    const next = computeConditions(obs({ revision: 2, now: at(90), devices: devices({ succeeded: 4 }) }), defaultConditionPolicy, done);
    assert.equal(byType(next).Complete?.lastTransitionTime, at(90).toISOString());
    assert.equal(byType(next).Complete?.observedRevision, 2);
  });
});
