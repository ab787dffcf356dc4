import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type DeploymentFacts, deploymentHappenings, hubHappenings, renderEvent } from '../../../shared/domain/kubernetes/eventObjects';
import type { RolloutTransition } from '../../../shared/domain/rollout/rolloutMachine';

const transition = (at: string, to: RolloutTransition['to'], reason: string, message: string, wave = 0): RolloutTransition => ({ at, from: null, to, wave, reason, message });

const facts: DeploymentFacts = {
  name: 'web',
  revisions: [
    { revision: 1, createdAt: '2026-12-01T10:00:00.000Z', cause: { kind: 'create' } },
    { revision: 2, createdAt: '2026-12-01T11:00:00.000Z', cause: { kind: 'update' } },
    { revision: 3, createdAt: '2026-12-01T12:00:00.000Z', cause: { kind: 'rollback', toRevision: 1 } },
  ],
  hubs: [
    { hub: 'weu', state: 'applied', desiredRevision: 3, appliedRevision: 3, attempts: 1, lastError: null, lastAttemptAt: '2026-12-01T12:00:01.000Z' },
    { hub: 'eus', state: 'pending', desiredRevision: 3, appliedRevision: 2, attempts: 3, lastError: { message: 'hub eus answered 503 ServiceUnavailable' }, lastAttemptAt: '2026-12-01T12:02:00.000Z' },
    { hub: 'sea', state: 'failed', desiredRevision: 3, appliedRevision: null, attempts: 1, lastError: { message: 'the hub holds 100 configurations' }, lastAttemptAt: '2026-12-01T12:01:00.000Z' },
    { hub: 'neu', state: 'pending', desiredRevision: 3, appliedRevision: null, attempts: 0, lastError: null, lastAttemptAt: null },
  ],
  rollout: {
    revision: 3,
    history: [
      transition('2026-12-01T12:00:00.500Z', 'applying', 'Started', "revision 3: wave 'canary' (weu)"),
      transition('2026-12-01T12:05:00.000Z', 'paused', 'GateFailed', "gate of wave 'canary' failed: 20% failed", 0),
      transition('2026-12-01T12:06:00.000Z', 'paused', 'Paused', 'paused by a person', 0),
    ],
  },
  conditions: [
    { type: 'Progressing', status: 'True', reason: 'DevicesApplying', message: '3 progressing', lastTransitionTime: '2026-12-01T12:00:02.000Z' },
    { type: 'Complete', status: 'False', reason: 'DevicesNotDone', message: 'not yet', lastTransitionTime: '2026-12-01T12:00:02.000Z' },
    { type: 'Degraded', status: 'True', reason: 'DeviceFailures', message: '20.0% of reachable devices failed', lastTransitionTime: '2026-12-01T12:04:00.000Z' },
  ],
};

describe('deployment events', () => {
  const happenings = deploymentHappenings(facts);

  it('tells each revision, hub sync, rollout transition and present condition, oldest first', () => {
    assert.deepEqual(
      happenings.map((h) => `${h.type} ${h.reason}`),
      [
        'Normal NewRevision',
        'Normal NewRevision',
        'Normal RolledBack',
        'Normal RolloutStarted',
        'Normal HubSynced',
        'Warning HubSyncFailed',
        'Warning HubSyncRetrying',
        'Warning DeviceFailures',
        'Warning RolloutGateFailed',
        'Normal RolloutPaused',
      ],
    );
    assert.deepEqual([...happenings.map((h) => h.at)], [...happenings.map((h) => h.at)].sort());
  });

  it('says what each one means, naming the replica set, the hub and the error', () => {
    const text = happenings.map((h) => h.message).join('\n');
    assert.match(text, /revision 3 \(rollback to revision 1\): replica set web-r3/);
    assert.match(text, /hub sea, revision 3: the hub holds 100 configurations \(attempt 1; needs a change\)/);
    assert.match(text, /hub eus, revision 3: hub eus answered 503 ServiceUnavailable \(attempt 3; retried\)/);
    assert.match(text, /revision 3: gate of wave 'canary' failed/);
  });

  it('says nothing for a hub never tried, nor for conditions that only say "not yet"', () => {
    assert.equal(happenings.some((h) => h.message.includes('neu')), false);
    assert.equal(happenings.some((h) => h.reason === 'DevicesNotDone' || h.reason === 'DevicesApplying'), false);
  });

  it('leaves out the transitions of a rollout whose revision is no longer shown', () => {
    const old = deploymentHappenings({ ...facts, rollout: { ...facts.rollout!, revision: 0 } });
    assert.equal(old.some((h) => h.reason.startsWith('Rollout')), false);
  });

  it('renders a v1 Event about the object, with a name and uid stable across reads', () => {
    const object = { kind: 'Deployment', apiVersion: 'apps/v1', name: 'web', uid: '0b7e-uid' };
    const a = renderEvent(object, happenings[5]!);
    const b = renderEvent(object, happenings[5]!);
    assert.deepEqual(a, b);
    assert.notEqual((renderEvent(object, happenings[6]!).metadata as { name: string }).name, (a.metadata as { name: string }).name);
    assert.match((a.metadata as { name: string }).name, /^web\.[0-9a-f]{16}$/);
    assert.deepEqual(a.involvedObject, { kind: 'Deployment', namespace: 'default', name: 'web', uid: '0b7e-uid', apiVersion: 'apps/v1' });
    assert.equal(a.type, 'Warning');
    assert.equal(a.lastTimestamp, '2026-12-01T12:01:00Z');
    assert.equal(a.count, 1);
  });
});

describe('hub (node) events', () => {
  it('warns about a hub that did not answer and a fenced garbage collection; a healthy hub says nothing', () => {
    assert.deepEqual(hubHappenings({ hub: 'weu', reachable: true, checkedAt: '2026-12-01T12:00:00Z' }), []);
    const down = hubHappenings({ hub: 'eus', reachable: false, checkedAt: '2026-12-01T12:00:00Z', lastError: 'connect ECONNREFUSED' });
    assert.deepEqual(down.map((h) => [h.type, h.reason]), [['Warning', 'NodeNotReady']]);
    assert.match(down[0]!.message, /ECONNREFUSED/);
    const fenced = hubHappenings({ hub: 'sea', reachable: true, checkedAt: '2026-12-01T12:00:00Z', gcFence: { reason: 'DesiredStateLost', message: 'no deployments' } });
    assert.deepEqual(fenced.map((h) => h.reason), ['DesiredStateLost']);
  });
});
