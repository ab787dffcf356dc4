import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { jsonPatch, strategicMergePatch } from '../../../shared/domain/kubernetes/patches';
import { matchesLabels, parseLabelSelector } from '../../../shared/domain/kubernetes/selectors';
import { fieldPath } from '../../../shared/domain/kubernetes/status';

const live: { spec: { replicas: number; template: { spec: { containers: { name: string; image: string; env?: { name: string; value: string }[] }[] } } } } = {
  spec: {
    replicas: 1,
    template: { spec: { containers: [{ name: 'web', image: 'nginx:1.27', env: [{ name: 'A', value: '1' }, { name: 'B', value: '2' }] }, { name: 'side', image: 'busybox' }] } },
  },
};

describe('Kubernetes patches as kubectl sends them', () => {
  it('strategic merge: set image merges containers by name and keeps the rest', () => {
    const r = strategicMergePatch(live, { spec: { template: { spec: { containers: [{ name: 'web', image: 'nginx:1.28' }] } } } });
    assert.ok(r.ok);
    const containers = (r.value.spec as typeof live.spec).template.spec.containers;
    assert.deepEqual(containers.map((c) => [c.name, c.image]), [['web', 'nginx:1.28'], ['side', 'busybox']]);
    assert.equal(containers[0]!.env!.length, 2, 'env of the merged container is kept');
  });
  it('strategic merge: $patch delete removes a keyed item, null removes a field, $setElementOrder is ignored', () => {
    const r = strategicMergePatch(live, { spec: { replicas: null, template: { spec: { '$setElementOrder/containers': [{ name: 'web' }], containers: [{ name: 'side', $patch: 'delete' }, { name: 'web', env: [{ name: 'B', $patch: 'delete' }] }] } } } });
    assert.ok(r.ok);
    const spec = r.value.spec as typeof live.spec;
    assert.equal(spec.replicas, undefined);
    assert.deepEqual(spec.template.spec.containers.map((c) => c.name), ['web']);
    assert.deepEqual(spec.template.spec.containers[0]!.env, [{ name: 'A', value: '1' }]);
  });
  it('JSON patch: replace, add and test in order; a failing op refuses the whole patch', () => {
    const r = jsonPatch(live, [{ op: 'replace', path: '/spec/template/spec/containers/0/image', value: 'nginx:2' }, { op: 'add', path: '/spec/paused', value: true }, { op: 'test', path: '/spec/replicas', value: 1 }]);
    assert.ok(r.ok);
    assert.equal((r.value.spec as { paused: boolean }).paused, true);
    assert.equal((live.spec.template.spec.containers[0]!.image), 'nginx:1.27', 'the live object is not changed');
    const bad = jsonPatch(live, [{ op: 'replace', path: '/spec/nothing', value: 1 }]);
    assert.equal(bad.ok, false);
  });
  it('label selectors in every form; field paths as Kubernetes writes them', () => {
    const s = parseLabelSelector('app=web,tier!=db,env in (prod, staging),!legacy,team');
    assert.ok(s.ok);
    assert.equal(matchesLabels(s.requirements, { app: 'web', env: 'prod', team: 'edge' }), true);
    assert.equal(matchesLabels(s.requirements, { app: 'web', env: 'dev', team: 'edge' }), false);
    assert.equal(matchesLabels(s.requirements, { app: 'web', env: 'prod', team: 'edge', legacy: 'y' }), false);
    assert.equal(fieldPath('/spec/template/spec/containers/0/env/2/valueFrom'), 'spec.template.spec.containers[0].env[2].valueFrom');
  });
});
