import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type ImageName, isImageNameError, normalizeImage, sameRepository, withTag } from '../../../shared/domain/registry/imageName';
import { planImageUpdates } from '../../../shared/domain/registry/planImageUpdates';
import { decideUpdate } from '../../../shared/domain/registry/updatePolicy';
import { type UpdatePolicy, updatePolicySchema } from '../../../shared/domain/registry/updatePolicySchema';
import { storedRevision } from '../../helpers/revisions';

const image = (ref: string): ImageName => {
  const n = normalizeImage(ref);
  if (isImageNameError(n)) throw new Error(n.error);
  return n;
};
const semverPolicy = (level: 'patch' | 'minor' | 'major', allowPrerelease = false): UpdatePolicy => ({ type: 'semver', level, allowPrerelease });
const decide = (policy: UpdatePolicy, current: string, pushed: string) => decideUpdate(policy, current, image(pushed));

describe('image names', () => {
  it('normalises Docker Hub short names, aliases, and registry hosts with ports', () => {
    const table: [string, string, string, string | undefined][] = [
      ['nginx', 'docker.io', 'library/nginx', undefined],
      ['nginx:1.25', 'docker.io', 'library/nginx', '1.25'],
      ['user/app:2', 'docker.io', 'user/app', '2'],
      ['index.docker.io/library/nginx:1', 'docker.io', 'library/nginx', '1'],
      ['localhost:5000/team/app:dev', 'localhost:5000', 'team/app', 'dev'],
      ['MyAcr.azurecr.io/edge/sensor:1.0.0', 'myacr.azurecr.io', 'edge/sensor', '1.0.0'],
    ];
    for (const [ref, registry, repository, tag] of table) {
      assert.deepEqual(image(ref), { registry, repository, ...(tag ? { tag } : {}) }, ref);
    }
    assert.ok(sameRepository(image('nginx'), image('docker.io/library/nginx:2')));
    assert.ok(!sameRepository(image('nginx'), image('ghcr.io/library/nginx')));
    assert.ok(isImageNameError(normalizeImage('UPPER/Case')));
  });

  it('writes a new tag in the user’s own form', () => {
    assert.equal(withTag('nginx:1.25', '1.26'), 'nginx:1.26');
    assert.equal(withTag('localhost:5000/app', '2'), 'localhost:5000/app:2');
    assert.equal(withTag('acr.io/app:1@sha256:' + 'a'.repeat(64), '1', 'sha256:' + 'b'.repeat(64)), `acr.io/app:1@sha256:${'b'.repeat(64)}`);
  });
});

describe('semver update policy', () => {
  const cases: [UpdatePolicy, string, string, boolean][] = [
    [semverPolicy('patch'), 'app:1.2.3', 'app:1.2.4', true],
    [semverPolicy('patch'), 'app:1.2.3', 'app:1.3.0', false],
    [semverPolicy('minor'), 'app:1.2.3', 'app:1.3.0', true],
    [semverPolicy('minor'), 'app:1.2.3', 'app:2.0.0', false],
    [semverPolicy('major'), 'app:1.2.3', 'app:2.0.0', true],
    [semverPolicy('major'), 'app:1.2.3', 'app:1.2.2', false], // downgrade
    [semverPolicy('major'), 'app:1.2.3', 'app:1.2.3', false], // same
    [semverPolicy('patch'), 'app:v1.2.3', 'app:v1.2.4', true], // v prefix
    [semverPolicy('patch'), 'app:1.2.3', 'app:1.2.4-rc.1', false], // pre-release not asked for
    [semverPolicy('patch', true), 'app:1.2.3', 'app:1.2.4-rc.1', true],
    [semverPolicy('patch'), 'app:1.2.4-rc.1', 'app:1.2.4-rc.2', true], // current is a pre-release
    [semverPolicy('patch'), 'app:1.2.4-rc.1', 'app:1.2.4', true],
    [semverPolicy('major'), 'app:latest', 'app:1.0.0', false], // current not semver
    [semverPolicy('major'), 'app:1.0.0', 'app:stable', false], // pushed not semver
    [semverPolicy('major'), 'app:1.0.0', 'other:2.0.0', false], // another repository
  ];
  for (const [policy, current, pushed, expected] of cases) {
    it(`${policy.type === 'semver' ? policy.level : ''}${policy.type === 'semver' && policy.allowPrerelease ? '+pre' : ''}: ${current} -> ${pushed} ${expected ? 'updates' : 'does not update'}`, () => {
      const d = decide(policy, current, pushed);
      assert.equal(d.update, expected, d.reason);
      if (d.update) assert.equal(d.newReference, `${current.split(':')[0]}:${pushed.split(':')[1]}`);
    });
  }
});

describe('glob, regexp, digest and force policies', () => {
  it('glob matches tags with * and ?', () => {
    assert.equal(decide({ type: 'glob', pattern: 'release-*' }, 'app:release-1', 'app:release-2').update, true);
    assert.equal(decide({ type: 'glob', pattern: 'release-?' }, 'app:release-1', 'app:release-10').update, false);
    assert.equal(decide({ type: 'glob', pattern: '1.*' }, 'app:1.0', 'app:1x0').update, false, 'a dot in the pattern is literal');
  });

  it('regexp is anchored, and dangerous patterns are refused at the schema and at push time', () => {
    assert.equal(decide({ type: 'regexp', pattern: '\\d+\\.\\d+' }, 'app:1.0', 'app:1.1').update, true);
    assert.equal(decide({ type: 'regexp', pattern: '\\d+' }, 'app:1', 'app:1a').update, false);
    const catastrophic = '(a+)+b';
    assert.equal(updatePolicySchema.safeParse({ type: 'regexp', pattern: catastrophic }).success, false);
    const refused = decide({ type: 'regexp', pattern: catastrophic }, 'app:a', `app:${'a'.repeat(40)}`);
    assert.equal(refused.update, false);
    assert.match(refused.reason, /backtrack/);
  });

  it('digest pins a re-pushed tag to its new digest', () => {
    const digest = `sha256:${'c'.repeat(64)}`;
    const d = decideUpdate({ type: 'digest' }, 'acr.io/app:stable', { ...image('acr.io/app:stable'), digest });
    assert.equal(d.update, true);
    assert.equal(d.update && d.newReference, `acr.io/app:stable@${digest}`);
    assert.equal(decideUpdate({ type: 'digest' }, `acr.io/app:stable@${digest}`, { ...image('acr.io/app:stable'), digest }).update, false, 'already pinned');
    assert.equal(decideUpdate({ type: 'digest' }, 'acr.io/app:stable', { ...image('acr.io/app:canary'), digest }).update, false, 'another tag');
  });

  it('force takes any new tag, never the same one, and no policy takes nothing', () => {
    assert.equal(decide({ type: 'force' }, 'app:abc', 'app:def').update, true);
    assert.equal(decide({ type: 'force' }, 'app:abc', 'app:abc').update, false);
    assert.equal(decideUpdate(undefined, 'app:1', image('app:2')).update, false);
  });
});

describe('planning a push across deployments', () => {
  it('changes every module whose policy accepts the push, in a stable order, and says why others did not', () => {
    const web = storedRevision('web', 1, ['weu'], { image: 'myacr.azurecr.io/edge/web:1.2.3' });
    const api = storedRevision('api', 1, ['weu'], { image: 'myacr.azurecr.io/edge/web:1.2.0' });
    const other = storedRevision('other', 1, ['weu'], { image: 'nginx:1.25' });
    const withPolicy = (r: typeof web, policy: UpdatePolicy) => ({ ...r, updatePolicies: { web: policy } });
    const plan = planImageUpdates(
      [
        { deploymentId: 'web', revision: withPolicy(web, semverPolicy('patch')) },
        { deploymentId: 'api', revision: withPolicy(api, semverPolicy('minor')) },
        { deploymentId: 'other', revision: withPolicy(other, { type: 'force' }) },
      ],
      image('myacr.azurecr.io/edge/web:1.3.0'),
    );
    assert.deepEqual(plan.changes.map((c) => [c.deploymentId, c.module, c.from, c.to]), [['api', 'web', 'myacr.azurecr.io/edge/web:1.2.0', 'myacr.azurecr.io/edge/web:1.3.0']]);
    assert.deepEqual(plan.skipped.map((s) => s.deploymentId), ['web'], 'the patch-only module is skipped with a reason; another repository is not even listed');
  });

  it('applies several pushes of one delivery in order: one change per module, never a step back', () => {
    const web = { ...storedRevision('web', 1, ['weu'], { image: 'myacr.azurecr.io/edge/web:1.2.3' }), updatePolicies: { web: semverPolicy('patch') } };
    for (const order of [['1.2.4', '1.2.5'], ['1.2.5', '1.2.4']]) {
      const plan = planImageUpdates([{ deploymentId: 'web', revision: web }], order.map((t) => image(`myacr.azurecr.io/edge/web:${t}`)));
      assert.deepEqual(plan.changes.map((c) => [c.from, c.to]), [['myacr.azurecr.io/edge/web:1.2.3', 'myacr.azurecr.io/edge/web:1.2.5']], order.join(' then '));
      assert.deepEqual(plan.skipped, [], 'a module that moved is not listed as skipped');
    }
    const none = planImageUpdates([{ deploymentId: 'web', revision: web }], [image('myacr.azurecr.io/edge/web:1.3.0'), image('myacr.azurecr.io/edge/web:latest')]);
    assert.deepEqual(none.changes, []);
    assert.deepEqual(none.skipped.map((s) => s.pushed), ['myacr.azurecr.io/edge/web:1.3.0', 'myacr.azurecr.io/edge/web:latest'], 'each refused push says why');
  });
});
