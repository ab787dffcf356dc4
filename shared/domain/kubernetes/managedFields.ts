// Field ownership for server-side apply (https://kubernetes.io/docs/reference/using-api/server-side-apply/),
// after structured-merge-diff's merge/update.go: an Apply makes the applied
// fields the applier's set, removes the fields it applied last time and no
// longer applies (unless someone else owns them), and conflicts when it
// changes a field another manager owns; any other write (Update) takes the
// fields it changed from everyone else. Every set is computed on the object
// as this server renders it, so what is owned is what GET shows.
import { canonicalStringify, isPlainObject } from '../deployments/canonicalJson';
import { k8sTime, REVISION_ANNOTATION } from './deploymentObject';
import { FieldSet, type Path, pathString } from './fieldSet';
import { MERGE_KEYS, strategicMergePatch } from './patches';
import { failure, type KubernetesStatus } from './status';

type Obj = Record<string, unknown>;

export type Operation = 'Apply' | 'Update';

/** metadata.managedFields[] (k8s.io/apimachinery/pkg/apis/meta/v1 ManagedFieldsEntry). */
export interface ManagedFieldsEntry {
  readonly manager: string;
  readonly operation: Operation;
  readonly apiVersion: string;
  /** RFC 3339 seconds; absent on an entry a client wrote without one (kubectl's client-side apply upgrade). */
  readonly time?: string;
  readonly fieldsType: 'FieldsV1';
  readonly fieldsV1: Obj;
}

interface Manager {
  readonly manager: string;
  readonly operation: Operation;
  readonly apiVersion: string;
  readonly time: string;
  readonly fields: FieldSet;
}

export const API_VERSION = 'apps/v1';

/**
 * Keys of the associative lists (x-kubernetes-list-map-keys of the v1.32
 * OpenAPI): the strategic merge keys, except that a container port is keyed
 * by port and protocol.
 */
const LIST_KEYS: Readonly<Record<string, readonly string[]>> = { ...Object.fromEntries(Object.entries(MERGE_KEYS).map(([field, key]) => [field, [key]])), ports: ['containerPort', 'protocol'] };
/** Lists whose items are their own keys (x-kubernetes-list-type: set). */
const SET_LISTS = new Set(['finalizers']);
/** Maps of arbitrary keys, owned key by key and as a whole (`.`), unlike structs. */
const GRANULAR_MAPS = new Set(['labels', 'annotations', 'nodeSelector', 'limits', 'requests', 'matchLabels']);
/** Structs replaced whole (x-kubernetes-map-type: atomic): a Deployment's label selector. */
const ATOMIC_MAPS = new Set(['selector']);
/** What nobody owns: set by the apiserver, not by a manager (apimachinery managedfields/internal/stripmeta.go). */
const SERVER_METADATA = ['name', 'namespace', 'uid', 'resourceVersion', 'generation', 'creationTimestamp', 'selfLink', 'managedFields', 'deletionTimestamp', 'deletionGracePeriodSeconds'];

/** The part of an object managers own: no type meta, no status, no apiserver-set metadata or revision annotation. */
function trackedView(object: Obj): Obj {
  const { apiVersion: _v, kind: _k, status: _s, metadata, ...rest } = object;
  const meta: Obj = isPlainObject(metadata) ? { ...metadata } : {};
  for (const key of SERVER_METADATA) delete meta[key];
  if (isPlainObject(meta.annotations)) {
    const { [REVISION_ANNOTATION]: _revision, ...annotations } = meta.annotations;
    if (Object.keys(annotations).length) meta.annotations = annotations;
    else delete meta.annotations;
  }
  return Object.keys(meta).length ? { ...rest, metadata: meta } : rest;
}

const keyOf = (item: Obj, keys: readonly string[]) => `k:${JSON.stringify(Object.fromEntries(keys.filter((k) => k in item).sort().map((k) => [k, item[k]])))}`;

/** Every member path of a value with its canonical JSON when it is a leaf (undefined for list items and maps). */
function walk(object: Obj): Map<string, { path: Path; leaf: string | undefined }> {
  const out = new Map<string, { path: Path; leaf: string | undefined }>();
  const add = (path: Path, leaf: string | undefined) => out.set(JSON.stringify(path), { path, leaf });
  const field = (name: string, value: unknown, parent: Path) => {
    const here = [...parent, `f:${name}`];
    if (value === null || typeof value !== 'object' || ATOMIC_MAPS.has(name)) return add(here, canonicalStringify(value));
    if (Array.isArray(value)) return list(name, value, here);
    const entries = Object.entries(value as Obj);
    if (!entries.length) return add(here, '{}');
    if (GRANULAR_MAPS.has(name)) {
      add(here, undefined);
      for (const [key, v] of entries) add([...here, `f:${key}`], canonicalStringify(v));
      return;
    }
    for (const [key, v] of entries) field(key, v, here);
  };
  const list = (name: string, items: unknown[], here: Path) => {
    const keys = LIST_KEYS[name];
    if (keys && items.every((i) => isPlainObject(i) && keys.some((k) => k in i))) {
      for (const item of items as Obj[]) {
        const at = [...here, keyOf(item, keys)];
        add(at, undefined);
        for (const [key, v] of Object.entries(item)) field(key, v, at);
      }
    } else if (SET_LISTS.has(name) && items.every((i) => i === null || typeof i !== 'object')) {
      for (const item of items) add([...here, `v:${JSON.stringify(item)}`], undefined);
    } else add(here, canonicalStringify(items));
  };
  for (const [key, value] of Object.entries(trackedView(object))) field(key, value, []);
  return out;
}

/** The fields an object sets, as a manager would own them. */
export const fieldSetOf = (object: Obj): FieldSet => FieldSet.of([...walk(object).values()].map((m) => m.path));

export interface Comparison {
  readonly added: FieldSet;
  readonly modified: FieldSet;
  readonly removed: FieldSet;
}

/** What changed from `before` to `after` (typed.Comparison): leaves compare by value, items and maps by presence. */
export function compareObjects(before: Obj, after: Obj): Comparison {
  const a = walk(before);
  const b = walk(after);
  const added: Path[] = [];
  const modified: Path[] = [];
  const removed: Path[] = [];
  for (const [key, m] of b) {
    const old = a.get(key);
    if (!old) added.push(m.path);
    else if (old.leaf !== m.leaf) modified.push(m.path);
  }
  for (const [key, m] of a) if (!b.has(key)) removed.push(m.path);
  return { added: FieldSet.of(added), modified: FieldSet.of(modified), removed: FieldSet.of(removed) };
}

const changed = (c: Comparison) => !(c.added.isEmpty() && c.modified.isEmpty() && c.removed.isEmpty());

/** The entries a client sent or that are stored; undefined when one of them is not a valid entry. */
function decode(entries: readonly unknown[]): Manager[] | undefined {
  const out: Manager[] = [];
  for (const e of entries) {
    if (!isPlainObject(e) || typeof e.manager !== 'string' || (e.operation !== 'Apply' && e.operation !== 'Update')) return undefined;
    if (e.fieldsType !== undefined && e.fieldsType !== 'FieldsV1') return undefined;
    const fields = FieldSet.fromFieldsV1(e.fieldsV1 ?? {});
    if (!fields) return undefined;
    out.push({ manager: e.manager, operation: e.operation, apiVersion: typeof e.apiVersion === 'string' ? e.apiVersion : API_VERSION, time: typeof e.time === 'string' ? e.time : '', fields });
  }
  return out;
}

/** Sorted as the apiserver sorts them (managedfields/internal/managedfields.go sortEncodedManagedFields): operation, time, manager. */
function encode(managers: readonly Manager[]): ManagedFieldsEntry[] {
  return managers
    .filter((m) => !m.fields.isEmpty())
    .sort((p, q) => (p.operation !== q.operation ? (p.operation < q.operation ? -1 : 1) : p.time !== q.time ? (p.time < q.time ? -1 : 1) : p.manager < q.manager ? -1 : p.manager > q.manager ? 1 : 0))
    .map((m) => ({ manager: m.manager, operation: m.operation, apiVersion: m.apiVersion, ...(m.time ? { time: m.time } : {}), fieldsType: 'FieldsV1' as const, fieldsV1: m.fields.toFieldsV1() }));
}

/** Stored entries as domain values (entries this server wrote are valid; anything else counts as none). */
export const managedFieldsOf = (value: unknown): ManagedFieldsEntry[] => (Array.isArray(value) ? encode(decode(value) ?? []) : []);

/**
 * The entries an Update starts from (managedfields FieldManager.Update): a
 * non-empty valid managedFields in the sent object replaces the live ones, so
 * a client may rewrite ownership; `[{}]` clears it (the documented reset); an
 * absent, empty or invalid list keeps the live entries.
 */
export function updateBase(sent: unknown, live: readonly ManagedFieldsEntry[]): readonly ManagedFieldsEntry[] {
  if (!Array.isArray(sent) || sent.length === 0) return live;
  if (sent.every((e) => isPlainObject(e) && Object.keys(e).length === 0)) return [];
  const decoded = decode(sent);
  return decoded ? encode(decoded) : live;
}

const sameManager = (m: Manager, name: string, operation: Operation) => m.manager === name && m.operation === operation;

/** The acting manager's entry gets `now` when anything changed; a no-op write leaves every entry as it was. */
function stamp(before: readonly ManagedFieldsEntry[], after: Manager[], name: string, operation: Operation, now: string, objectChanged: boolean): ManagedFieldsEntry[] {
  const unchanged = encode(after.map((m) => ({ ...m, time: '' })));
  const previous = encode((decode(before) ?? []).map((m) => ({ ...m, time: '' })));
  if (!objectChanged && canonicalStringify(unchanged) === canonicalStringify(previous)) return [...before];
  return encode(after.map((m) => (sameManager(m, name, operation) ? { ...m, time: k8sTime(now) } : m)));
}

export interface UpdateInput {
  /** The object before the write as rendered (undefined for a create). */
  readonly live: Obj | undefined;
  /** The object after the write as it will be rendered. */
  readonly next: Obj;
  readonly entries: readonly ManagedFieldsEntry[];
  readonly manager: string;
  readonly now: string;
}

/** An Update (create, replace, non-apply patch): the writer owns what it changed, nobody keeps a removed field. */
export function recordUpdate(input: UpdateInput): ManagedFieldsEntry[] {
  const c = compareObjects(input.live ?? {}, input.next);
  const taken = c.modified.union(c.added);
  const managers = (decode(input.entries) ?? []).map((m) => (sameManager(m, input.manager, 'Update') ? m : { ...m, fields: m.fields.difference(taken).difference(c.removed) }));
  const mine = managers.find((m) => sameManager(m, input.manager, 'Update'));
  const fields = (mine?.fields ?? new FieldSet()).union(taken).difference(c.removed);
  const others = managers.filter((m) => m !== mine);
  return stamp(input.entries, [...others, { manager: input.manager, operation: 'Update', apiVersion: API_VERSION, time: mine?.time ?? '', fields }], input.manager, 'Update', input.now, changed(c));
}

/** An Apply's first half: the object to store and the managers with the applier's new set. */
export interface ApplyPlan {
  readonly object: Obj;
  readonly manager: string;
  readonly entries: readonly ManagedFieldsEntry[];
  readonly managers: readonly Manager[];
}

/**
 * Merges the applied configuration into the live object, makes its fields the
 * applier's, and removes what the applier applied last time and no longer
 * does, unless some manager (the applier included) owns it or something under it.
 */
export function planApply(input: { live: Obj | undefined; applied: Obj; entries: readonly ManagedFieldsEntry[]; manager: string }): ApplyPlan {
  const merged = input.live ? strategicMergePatch(input.live, input.applied) : { ok: true as const, value: structuredClone(input.applied) };
  const object = merged.ok ? merged.value : structuredClone(input.applied);
  const decoded = decode(input.entries) ?? [];
  const last = decoded.find((m) => sameManager(m, input.manager, 'Apply'));
  const applier: Manager = { manager: input.manager, operation: 'Apply', apiVersion: API_VERSION, time: last?.time ?? '', fields: fieldSetOf(input.applied) };
  const managers = [...decoded.filter((m) => m !== last), applier];
  const owned = managers.reduce((all, m) => all.union(m.fields), new FieldSet());
  // Parents first (members() order): an item that goes takes its fields along; one that stays keeps its key fields.
  const gone = last ? last.fields.members().filter((p) => !owned.hasWithin(p) && !isKeyField(p)) : [];
  for (const path of gone) removeAt(object, path, owned);
  return { object, manager: input.manager, entries: input.entries, managers };
}

export interface Conflict {
  /** As printed by the apiserver: `"other"` for an applier, `"kubectl-set" using apps/v1` for an updater. */
  readonly manager: string;
  readonly field: string;
}

export type ApplyOutcome = { readonly ok: true; readonly entries: ManagedFieldsEntry[] } | { readonly ok: false; readonly conflicts: readonly Conflict[] };

/**
 * An Apply's second half, on the objects as rendered: a field another manager
 * owns that the apply adds or changes is a conflict, unless forced, when that
 * manager loses it; removed fields leave every set.
 */
export function settleApply(plan: ApplyPlan, live: Obj | undefined, next: Obj, options: { force: boolean; now: string }): ApplyOutcome {
  const c = compareObjects(live ?? {}, next);
  const touched = c.modified.union(c.added);
  const conflicts: Conflict[] = [];
  const managers = plan.managers.map((m) => {
    if (sameManager(m, plan.manager, 'Apply')) return m;
    const mine = m.fields.intersection(touched);
    for (const path of mine.members()) conflicts.push({ manager: printManager(m), field: pathString(path) });
    return { ...m, fields: m.fields.difference(touched).difference(c.removed) };
  });
  if (conflicts.length && !options.force) return { ok: false, conflicts: conflicts.sort((a, b) => (a.manager < b.manager ? -1 : a.manager > b.manager ? 1 : 0)) };
  return { ok: true, entries: stamp(plan.entries, managers, plan.manager, 'Apply', options.now, changed(c)) };
}

/** managedfields/internal/conflict.go printManager: updaters are named with their API version. */
const printManager = (m: Manager) => (m.operation === 'Update' ? `${JSON.stringify(m.manager)} using ${m.apiVersion}` : JSON.stringify(m.manager));

/** The 409 the apiserver answers (conflict.go NewConflictError / getConflictMessage, errors.NewApplyConflict). */
export function applyConflictStatus(conflicts: readonly Conflict[]): KubernetesStatus {
  const causes = conflicts.map((c) => ({ reason: 'FieldManagerConflict', message: `conflict with ${c.manager}`, field: c.field }));
  if (conflicts.length === 1) return failure(409, `Apply failed with 1 conflict: conflict with ${conflicts[0]!.manager}: ${conflicts[0]!.field}`, {}, causes, 'Conflict');
  const byManager = new Map<string, string[]>();
  for (const c of conflicts) byManager.set(c.manager, [...(byManager.get(c.manager) ?? []), c.field]);
  const lines = [...byManager.keys()].sort().flatMap((m) => [`conflicts with ${m}:`, ...byManager.get(m)!.map((f) => `- ${f}`)]);
  return failure(409, `Apply failed with ${conflicts.length} conflicts: ${lines.join('\n')}`, {}, causes, 'Conflict');
}

/** `path` names a key field of a list item (`k:{"name":"web"}` then `f:name`), which stays while the item does. */
function isKeyField(path: Path): boolean {
  const parent = path[path.length - 2];
  const last = path[path.length - 1]!;
  return parent !== undefined && parent.startsWith('k:') && last.startsWith('f:') && last.slice(2) in (JSON.parse(parent.slice(2)) as Obj);
}

function matches(element: string, item: unknown, index: number): boolean {
  const body = element.slice(2);
  if (element.startsWith('i:')) return Number(body) === index;
  if (element.startsWith('v:')) return canonicalStringify(item) === canonicalStringify(JSON.parse(body));
  if (!isPlainObject(item)) return false;
  const key = JSON.parse(body) as Obj;
  return Object.entries(key).every(([k, v]) => canonicalStringify(item[k]) === canonicalStringify(v));
}

/** Removes the value at `path`, then any map or list that leaves empty and nobody owns. */
function removeAt(root: Obj, path: Path, owned: FieldSet): void {
  const chain: { container: Obj | unknown[]; at: string | number }[] = [];
  let node: unknown = root;
  for (const element of path) {
    if (element.startsWith('f:')) {
      if (!isPlainObject(node) || !(element.slice(2) in node)) return;
      chain.push({ container: node, at: element.slice(2) });
      node = node[element.slice(2)];
    } else {
      if (!Array.isArray(node)) return;
      const index = node.findIndex((item, i) => matches(element, item, i));
      if (index < 0) return;
      chain.push({ container: node, at: index });
      node = node[index];
    }
  }
  for (let depth = chain.length - 1; depth >= 0; depth--) {
    const { container, at } = chain[depth]!;
    if (Array.isArray(container)) container.splice(at as number, 1);
    else delete container[at as string];
    const emptied = Array.isArray(container) ? container.length === 0 : Object.keys(container).length === 0;
    if (depth === 0 || !emptied || owned.hasWithin(path.slice(0, depth))) return;
  }
}

