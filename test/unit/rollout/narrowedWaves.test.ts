// Waves narrowed to some devices of their hubs: how the plan places hubs, what
// each hub holds as the rollout moves on, and what a commit starts with.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { SelectableHub } from '../../../shared/domain/deployments/hubSelector';
import { hubsReached, planWaves, rolloutSchema } from '../../../shared/domain/rollout/rolloutSpec';
import { firstWave } from '../../../shared/services/rollout/startRollouts';

const hubs: SelectableHub[] = [
  { name: 'weu', region: 'westeurope', labels: { tier: 'canary' } },
  { name: 'neu', region: 'northeurope', labels: { tier: 'canary' } },
  { name: 'eus', region: 'eastus', labels: {} },
];
const spec = (waves: unknown[]) => rolloutSchema.parse({ waves, gate: { maxFailedPercent: 10 } });

describe('narrowed rollout waves', () => {
  const rollout = spec([
    { name: 'ring0', hubSelector: { labels: { tier: 'canary' } }, deviceSelector: { ring: 'canary' } },
    { name: 'ring1', hubSelector: { regions: ['westeurope'] }, deviceSelector: { ring: ['early', 'beta'] } },
    { name: 'weu', hubSelector: { regions: ['westeurope'] } },
    { name: 'rest', hubSelector: {} },
  ]);
  const plan = planWaves(rollout, hubs);

  it('places a hub in every narrowed wave before the first wave that takes it whole', () => {
    assert.deepEqual(
      plan.map((w) => [w.name, w.hubs, w.devices ?? null]),
      [
        ['ring0', ['weu', 'neu'], { ring: 'canary' }],
        ['ring1', ['weu'], { ring: ['early', 'beta'] }],
        ['weu', ['weu'], null],
        ['rest', ['neu', 'eus'], null],
      ],
    );
  });

  it('narrows each reached hub to the devices of every narrowed wave so far, until a whole-hub wave', () => {
    assert.deepEqual([...hubsReached(plan, 0)], [['weu', "tags.ring='canary'"], ['neu', "tags.ring='canary'"]]);
    assert.deepEqual([...hubsReached(plan, 1)], [['weu', "tags.ring='canary' OR tags.ring IN ['early','beta']"], ['neu', "tags.ring='canary'"]]);
    assert.deepEqual([...hubsReached(plan, 2)], [['weu', null], ['neu', "tags.ring='canary'"]]);
    assert.deepEqual([...hubsReached(plan, 3)], [['weu', null], ['neu', null], ['eus', null]]);
  });

  it('starts a commit with the first wave narrowed and every other hub kept as it is', () => {
    assert.deepEqual(firstWave({ waves: plan, gate: rollout.gate, onFailure: 'pause' }), { keep: ['eus'], narrowed: { weu: "tags.ring='canary'", neu: "tags.ring='canary'" } });
    assert.deepEqual(firstWave(undefined), { keep: [], narrowed: {} });
  });

  it('refuses a rollout whose last wave is narrowed (some devices would never get the revision)', () => {
    const result = rolloutSchema.safeParse({ waves: [{ name: 'only', hubSelector: {}, deviceSelector: { ring: 'canary' } }], gate: { maxFailedPercent: 10 } });
    assert.equal(result.success, false);
    assert.deepEqual(result.error?.issues.map((i) => i.path), [['waves', 0, 'deviceSelector']]);
  });

  it('refuses a deviceSelector that could inject into the condition', () => {
    assert.equal(rolloutSchema.safeParse({ waves: [{ name: 'a', hubSelector: {}, deviceSelector: { "ring' OR 1=1": 'x' } }, { name: 'b', hubSelector: {} }], gate: { maxFailedPercent: 10 } }).success, false);
  });
});
