import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FieldSet, pathString } from '../../../shared/domain/kubernetes/fieldSet';
import {
  applyConflictStatus,
  compareObjects,
  fieldSetOf,
  type ManagedFieldsEntry,
  managedFieldsOf,
  planApply,
  recordUpdate,
  settleApply,
  updateBase,
} from '../../../shared/domain/kubernetes/managedFields';
import { managerOf, writeOptionCauses } from '../../../shared/domain/kubernetes/writeOptions';

type Obj = Record<string, unknown>;

const T0 = '2026-12-02T10:00:00.000Z';
const T1 = '2026-12-02T11:00:00.000Z';
const T2 = '2026-12-02T12:00:00.000Z';

/** A Deployment as the server renders it: apiserver metadata, the revision annotation and status included. */
function deployment(options: { image?: string; env?: { name: string; value: string }[]; labels?: Record<string, string>; containers?: Obj[] } = {}): Obj {
  const container: Obj = { name: 'web', image: options.image ?? 'nginx:1.27', ...(options.env ? { env: options.env } : {}) };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'default', uid: 'u', resourceVersion: '3', generation: 3, creationTimestamp: '2026-12-01T00:00:00Z', labels: options.labels ?? { app: 'web' }, annotations: { 'deployment.kubernetes.io/revision': '3' } },
    spec: { replicas: 1, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: options.containers ?? [container] } } },
    status: { replicas: 4 },
  };
}

/** What `kubectl apply --server-side` sends: the file, nothing the server sets. */
function applied(options: { image?: string; env?: { name: string; value: string }[]; labels?: Record<string, string> } = {}): Obj {
  const container: Obj = { name: 'web', image: options.image ?? 'nginx:1.27', ...(options.env ? { env: options.env } : {}) };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', labels: options.labels ?? { app: 'web' } },
    spec: { selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [container] } } },
  };
}

const containersOf = (o: Obj) => ((o.spec as Obj).template as { spec: { containers: { name: string; image: string; env?: { name: string; value: string }[] }[] } }).spec.containers;
const entry = (entries: readonly ManagedFieldsEntry[], manager: string, operation = 'Apply') => entries.find((e) => e.manager === manager && e.operation === operation);
const owns = (entries: readonly ManagedFieldsEntry[], manager: string, operation: string, path: string[]) => FieldSet.fromFieldsV1(entry(entries, manager, operation)?.fieldsV1 ?? {})!.has(path);
const IMAGE = ['f:spec', 'f:template', 'f:spec', 'f:containers', 'k:{"name":"web"}', 'f:image'];

/** An apply the way the service runs it, with rendering as the identity plus the server's metadata. */
function apply(live: Obj | undefined, config: Obj, entries: readonly ManagedFieldsEntry[], manager: string, options: { force?: boolean; now?: string } = {}) {
  const plan = planApply({ live, applied: config, entries, manager });
  const next: Obj = { ...plan.object, metadata: { ...(plan.object.metadata as Obj), name: 'web' } };
  return { next, outcome: settleApply(plan, live, next, { force: options.force ?? false, now: options.now ?? T1 }) };
}

describe('field sets in the FieldsV1 form', () => {
  it('owns map fields by name, keyed list items by their merge key with `.`, granular maps with `.`, and an atomic selector as one leaf', () => {
    const o = deployment({ env: [{ name: 'MODE', value: 'edge' }] });
    (containersOf(o)[0] as Obj).ports = [{ containerPort: 80, protocol: 'TCP' }];
    assert.deepEqual(fieldSetOf(o).toFieldsV1(), {
      'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } },
      'f:spec': {
        'f:replicas': {},
        'f:selector': {},
        'f:template': {
          'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } },
          'f:spec': {
            'f:containers': {
              'k:{"name":"web"}': { '.': {}, 'f:env': { 'k:{"name":"MODE"}': { '.': {}, 'f:name': {}, 'f:value': {} } }, 'f:image': {}, 'f:name': {}, 'f:ports': { 'k:{"containerPort":80,"protocol":"TCP"}': { '.': {}, 'f:containerPort': {}, 'f:protocol': {} } } },
            },
          },
        },
      },
    });
  });

  it('leaves out what the apiserver sets: type meta, name, uid, resourceVersion, the revision annotation, status', () => {
    const paths = fieldSetOf(deployment()).members().map(pathString);
    for (const gone of ['.apiVersion', '.kind', '.metadata.name', '.metadata.uid', '.metadata.resourceVersion', '.metadata.annotations', '.status']) assert.ok(!paths.some((p) => p.startsWith(gone)), `${gone} is not owned`);
    assert.ok(paths.includes('.metadata.labels.app'));
  });

  it('keeps other annotations (kubectl last-applied included) and owns a set list item by value', () => {
    const o = deployment();
    (o.metadata as Obj).annotations = { 'deployment.kubernetes.io/revision': '3', 'kubectl.kubernetes.io/last-applied-configuration': '{}' };
    (o.metadata as Obj).finalizers = ['example.com/keep'];
    const v1 = fieldSetOf(o).toFieldsV1() as { 'f:metadata': Obj };
    assert.deepEqual(v1['f:metadata']['f:annotations'], { '.': {}, 'f:kubectl.kubernetes.io/last-applied-configuration': {} });
    assert.deepEqual(v1['f:metadata']['f:finalizers'], { 'v:"example.com/keep"': {} });
  });

  it('reads FieldsV1 back to the same set and refuses keys that are not path elements', () => {
    const set = fieldSetOf(deployment({ env: [{ name: 'A', value: '1' }] }));
    assert.ok(FieldSet.fromFieldsV1(set.toFieldsV1())!.equals(set));
    assert.equal(FieldSet.fromFieldsV1({ 'x:oops': {} }), undefined);
    assert.equal(FieldSet.fromFieldsV1([]), undefined);
  });

  it('prints paths as the apiserver does in conflicts', () => {
    assert.equal(pathString(IMAGE), '.spec.template.spec.containers[name="web"].image');
    assert.equal(pathString(['f:spec', 'f:ports', 'k:{"protocol":"TCP","containerPort":80}']), '.spec.ports[containerPort=80,protocol="TCP"]');
    assert.equal(pathString(['f:metadata', 'f:finalizers', 'v:"x"']), '.metadata.finalizers[="x"]');
    assert.equal(pathString(['f:args', 'i:2']), '.args[2]');
  });

  it('union, difference and intersection work member by member', () => {
    const a = FieldSet.of([['f:a'], ['f:b', 'f:c']]);
    const b = FieldSet.of([['f:b', 'f:c'], ['f:d']]);
    assert.deepEqual(a.union(b).members().map(pathString), ['.a', '.b.c', '.d']);
    assert.deepEqual(a.difference(b).members().map(pathString), ['.a']);
    assert.deepEqual(a.intersection(b).members().map(pathString), ['.b.c']);
    assert.ok(a.hasWithin(['f:b']) && !a.has(['f:b']));
  });

  it('compares leaves by value and items by presence', () => {
    const c = compareObjects(deployment({ env: [{ name: 'A', value: '1' }] }), deployment({ image: 'nginx:1.28', env: [{ name: 'B', value: '2' }] }));
    assert.deepEqual(c.modified.members().map(pathString), ['.spec.template.spec.containers[name="web"].image']);
    assert.ok(c.added.has(['f:spec', 'f:template', 'f:spec', 'f:containers', 'k:{"name":"web"}', 'f:env', 'k:{"name":"B"}']));
    assert.ok(c.removed.has(['f:spec', 'f:template', 'f:spec', 'f:containers', 'k:{"name":"web"}', 'f:env', 'k:{"name":"A"}', 'f:value']));
  });
});

describe('Update: creates, replaces and non-apply patches', () => {
  it('a create makes the writer own every field of the object as rendered, defaults included', () => {
    const entries = recordUpdate({ live: undefined, next: deployment(), entries: [], manager: 'kubectl-create', now: T0 });
    assert.equal(entries.length, 1);
    assert.deepEqual({ ...entries[0], fieldsV1: undefined }, { manager: 'kubectl-create', operation: 'Update', apiVersion: 'apps/v1', time: '2026-12-02T10:00:00Z', fieldsType: 'FieldsV1', fieldsV1: undefined });
    assert.ok(owns(entries, 'kubectl-create', 'Update', ['f:spec', 'f:replicas']));
  });

  it('another writer takes the fields it changes; a removed field leaves every set', () => {
    const created = recordUpdate({ live: undefined, next: deployment({ env: [{ name: 'A', value: '1' }] }), entries: [], manager: 'kubectl-create', now: T0 });
    const set = recordUpdate({ live: deployment({ env: [{ name: 'A', value: '1' }] }), next: deployment({ image: 'nginx:1.28' }), entries: created, manager: 'kubectl-set', now: T1 });
    assert.ok(owns(set, 'kubectl-set', 'Update', IMAGE));
    assert.ok(!owns(set, 'kubectl-create', 'Update', IMAGE));
    assert.ok(!FieldSet.fromFieldsV1(entry(set, 'kubectl-create', 'Update')!.fieldsV1)!.hasWithin(['f:spec', 'f:template', 'f:spec', 'f:containers', 'k:{"name":"web"}', 'f:env']));
    assert.equal(entry(set, 'kubectl-create', 'Update')!.time, '2026-12-02T10:00:00Z', 'only the writer gets a new time');
    assert.deepEqual(set.map((e) => e.manager), ['kubectl-create', 'kubectl-set'], 'sorted by operation, then time');
  });

  it('a write that changes nothing leaves the entries exactly as they were (no new time)', () => {
    const created = recordUpdate({ live: undefined, next: deployment(), entries: [], manager: 'kubectl-create', now: T0 });
    assert.deepEqual(recordUpdate({ live: deployment(), next: deployment(), entries: created, manager: 'kubectl-edit', now: T2 }), created);
  });

  it('managedFields sent with an update: a valid list replaces, [{}] resets, an empty or invalid one keeps the live entries', () => {
    const live = recordUpdate({ live: undefined, next: deployment(), entries: [], manager: 'a', now: T0 });
    const other = recordUpdate({ live: undefined, next: deployment(), entries: [], manager: 'b', now: T0 });
    assert.deepEqual(updateBase(undefined, live), live);
    assert.deepEqual(updateBase([], live), live);
    assert.deepEqual(updateBase([{}], live), []);
    assert.deepEqual(updateBase([{ manager: 'x' }], live), live);
    assert.deepEqual(updateBase(other, live), other);
    assert.deepEqual(managedFieldsOf([{ manager: 1 }]), []);
  });

  it("kubectl's upgrade of a client-side applied object (a JSON patch of managedFields alone) is taken as sent, entries without a time included", () => {
    const live = recordUpdate({ live: undefined, next: deployment(), entries: [], manager: 'kubectl-client-side-apply', now: T0 });
    const upgraded = [{ ...live[0]!, manager: 'kubectl', operation: 'Apply', time: undefined }];
    const entries = recordUpdate({ live: deployment(), next: deployment(), entries: updateBase(upgraded, live), manager: 'kubectl', now: T1 });
    assert.deepEqual(entries, [{ manager: 'kubectl', operation: 'Apply', apiVersion: 'apps/v1', fieldsType: 'FieldsV1', fieldsV1: live[0]!.fieldsV1 }]);
    const result = apply(deployment(), applied(), entries, 'kubectl');
    assert.ok(result.outcome.ok);
    assert.equal((result.next.spec as Obj).replicas, undefined, 'the defaulted replicas it no longer applies is pruned (the server renders it back)');
  });
});

describe('Apply: ownership, removal and conflicts', () => {
  it('creates: the applier owns what it applied, not the defaults the server added', () => {
    const { outcome } = apply(undefined, applied({ env: [{ name: 'MODE', value: 'edge' }] }), [], 'kubectl');
    assert.ok(outcome.ok);
    assert.equal(outcome.entries[0]!.operation, 'Apply');
    assert.ok(owns(outcome.entries, 'kubectl', 'Apply', IMAGE));
    assert.ok(!owns(outcome.entries, 'kubectl', 'Apply', ['f:spec', 'f:replicas']));
  });

  it('an env var, a label or a container the applier no longer applies is removed from the object', () => {
    const two = applied({ env: [{ name: 'MODE', value: 'edge' }, { name: 'LOG', value: 'debug' }], labels: { app: 'web', tier: 'front' } });
    ((two.spec as Obj).template as { spec: { containers: Obj[] } }).spec.containers.push({ name: 'side', image: 'busybox' });
    const first = apply(undefined, two, [], 'kubectl');
    assert.ok(first.outcome.ok);
    const second = apply(first.next, applied({ env: [{ name: 'MODE', value: 'edge' }] }), first.outcome.entries, 'kubectl', { now: T2 });
    assert.ok(second.outcome.ok);
    assert.deepEqual(containersOf(second.next), [{ name: 'web', image: 'nginx:1.27', env: [{ name: 'MODE', value: 'edge' }] }]);
    assert.deepEqual((second.next.metadata as Obj).labels, { app: 'web' });
    const third = apply(second.next, applied(), second.outcome.entries, 'kubectl');
    assert.ok(third.outcome.ok);
    assert.equal(containersOf(third.next)[0]!.env, undefined, 'the emptied env list goes too');
  });

  it('a field the applier drops stays when another manager owns it', () => {
    const first = apply(undefined, applied({ labels: { app: 'web', tier: 'front' } }), [], 'kubectl');
    assert.ok(first.outcome.ok);
    const shared = apply(first.next, { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', labels: { tier: 'front' } } }, first.outcome.entries, 'labeller');
    assert.ok(shared.outcome.ok, 'the same value is no conflict: both own it');
    const dropped = apply(shared.next, applied(), shared.outcome.entries, 'kubectl');
    assert.ok(dropped.outcome.ok);
    assert.deepEqual((dropped.next.metadata as Obj).labels, { app: 'web', tier: 'front' });
  });

  it('a different value for a field another applier owns is a conflict naming the manager and the field', () => {
    const first = apply(undefined, applied(), [], 'kubectl');
    assert.ok(first.outcome.ok);
    const other = apply(first.next, applied({ image: 'nginx:1.28' }), first.outcome.entries, 'other');
    assert.deepEqual(other.outcome, { ok: false, conflicts: [{ manager: '"kubectl"', field: '.spec.template.spec.containers[name="web"].image' }] });
  });

  it('force takes the field: the other manager loses it', () => {
    const first = apply(undefined, applied(), [], 'kubectl');
    assert.ok(first.outcome.ok);
    const forced = apply(first.next, applied({ image: 'nginx:1.28' }), first.outcome.entries, 'other', { force: true, now: T2 });
    assert.ok(forced.outcome.ok);
    assert.equal(containersOf(forced.next)[0]!.image, 'nginx:1.28');
    assert.ok(owns(forced.outcome.entries, 'other', 'Apply', IMAGE));
    assert.ok(!owns(forced.outcome.entries, 'kubectl', 'Apply', IMAGE));
    assert.ok(owns(forced.outcome.entries, 'kubectl', 'Apply', ['f:spec', 'f:template', 'f:spec', 'f:containers', 'k:{"name":"web"}', 'f:name']));
  });

  it('kubectl set image after an apply, then the same apply again: conflict with "kubectl-set" using apps/v1', () => {
    const first = apply(undefined, applied(), [], 'kubectl');
    assert.ok(first.outcome.ok);
    const setImage = deployment({ image: 'nginx:1.29' });
    const entries = recordUpdate({ live: first.next, next: setImage, entries: first.outcome.entries, manager: 'kubectl-set', now: T1 });
    const again = apply(setImage, applied(), entries, 'kubectl');
    assert.ok(!again.outcome.ok);
    const status = applyConflictStatus(again.outcome.conflicts);
    assert.equal(status.code, 409);
    assert.equal(status.reason, 'Conflict');
    assert.equal(status.message, 'Apply failed with 1 conflict: conflict with "kubectl-set" using apps/v1: .spec.template.spec.containers[name="web"].image');
    assert.deepEqual(status.details, { causes: [{ reason: 'FieldManagerConflict', message: 'conflict with "kubectl-set" using apps/v1', field: '.spec.template.spec.containers[name="web"].image' }] });
  });

  it('several conflicts are listed by manager', () => {
    const status = applyConflictStatus([
      { manager: '"b"', field: '.spec.replicas' },
      { manager: '"a" using apps/v1', field: '.spec.template.spec.containers[name="web"].image' },
      { manager: '"b"', field: '.metadata.labels.tier' },
    ]);
    assert.equal(status.message, 'Apply failed with 3 conflicts: conflicts with "a" using apps/v1:\n- .spec.template.spec.containers[name="web"].image\nconflicts with "b":\n- .spec.replicas\n- .metadata.labels.tier');
    assert.equal(status.details?.causes?.length, 3);
  });

  it('a container someone else changed stays when the applier drops it, with the fields they own', () => {
    const both = applied();
    ((both.spec as Obj).template as { spec: { containers: Obj[] } }).spec.containers.push({ name: 'side', image: 'busybox', args: ['-x'] });
    const first = apply(undefined, both, [], 'kubectl');
    assert.ok(first.outcome.ok);
    const changedSide = structuredClone(first.next);
    (containersOf(changedSide)[1] as Obj).image = 'busybox:2';
    const entries = recordUpdate({ live: first.next, next: changedSide, entries: first.outcome.entries, manager: 'kubectl-set', now: T1 });
    const dropped = apply(changedSide, applied(), entries, 'kubectl');
    assert.ok(dropped.outcome.ok);
    assert.deepEqual(containersOf(dropped.next).map((c) => c.name), ['web', 'side']);
    assert.deepEqual(containersOf(dropped.next)[1], { name: 'side', image: 'busybox:2' }, 'only the fields nobody owns any more are gone');
  });

  it('re-applying the same file changes nothing, times included', () => {
    const first = apply(undefined, applied(), [], 'kubectl', { now: T0 });
    assert.ok(first.outcome.ok);
    const again = apply(first.next, applied(), first.outcome.entries, 'kubectl', { now: T2 });
    assert.ok(again.outcome.ok);
    assert.deepEqual(again.outcome.entries, first.outcome.entries);
  });
});

describe('write options as the apiserver checks them', () => {
  it('the default manager is the User-Agent up to its first slash', () => {
    assert.equal(managerOf('kubectl-set', 'kubectl/v1.32.0 (linux/amd64) kubernetes/abc'), 'kubectl-set');
    assert.equal(managerOf(null, 'kubectl/v1.32.0 (linux/amd64) kubernetes/abc'), 'kubectl');
    assert.equal(managerOf('', 'node-fetch'), 'node-fetch');
    assert.equal(managerOf(null, null), '');
    assert.equal(managerOf(null, 'x'.repeat(200)).length, 128);
  });

  it('apply needs a fieldManager; only apply may force; a manager is printable and at most 128 characters', () => {
    assert.deepEqual(writeOptionCauses({ fieldManager: null, force: null, apply: true }), [{ reason: 'FieldValueRequired', message: 'Required value: is required for apply patch', field: 'fieldManager' }]);
    assert.deepEqual(writeOptionCauses({ fieldManager: 'a', force: 'true', apply: false }).map((c) => c.field), ['force']);
    assert.deepEqual(writeOptionCauses({ fieldManager: 'a', force: 'true', apply: true }), []);
    assert.deepEqual(writeOptionCauses({ fieldManager: null, force: null, apply: undefined }), []);
    assert.deepEqual(writeOptionCauses({ fieldManager: 'x'.repeat(129), force: null, apply: undefined }).map((c) => c.reason), ['FieldValueTooLong']);
    assert.deepEqual(writeOptionCauses({ fieldManager: 'a\u0007', force: null, apply: undefined }).map((c) => c.reason), ['FieldValueInvalid']);
  });
});
