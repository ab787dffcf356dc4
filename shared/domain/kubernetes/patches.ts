// The patch forms Kubernetes clients send (https://kubernetes.io/docs/tasks/manage-kubernetes-objects/update-api-object-kubectl-patch/):
// JSON Patch (RFC 6902), JSON Merge Patch (RFC 7396) and the strategic merge
// patch kubectl apply / set image / scale / edit send, whose lists of keyed
// items merge by key (the patchMergeKey of k8s.io/api/core/v1/types.go and
// apps/v1/types.go; directives per
// community/contributors/devel/sig-api-machinery/strategic-merge-patch.md).
import { isPlainObject } from '../deployments/canonicalJson';
import { applyMergePatch } from '../deployments/mergePatch';

type Obj = Record<string, unknown>;

export type PatchOutcome = { readonly ok: true; readonly value: Obj } | { readonly ok: false; readonly message: string };

/** patchMergeKey of the list fields a Deployment holds (`patchStrategy:"merge"` in the Go types). */
export const MERGE_KEYS: Readonly<Record<string, string>> = {
  containers: 'name',
  initContainers: 'name',
  ephemeralContainers: 'name',
  env: 'name',
  ports: 'containerPort',
  volumeMounts: 'mountPath',
  volumeDevices: 'devicePath',
  volumes: 'name',
  imagePullSecrets: 'name',
  hostAliases: 'ip',
  conditions: 'type',
  ownerReferences: 'uid',
  resourceClaims: 'name',
};

const SET_ORDER = '$setElementOrder/';
const DELETE_PRIMITIVES = '$deleteFromPrimitiveList/';

export function strategicMergePatch(target: Obj, patch: unknown): PatchOutcome {
  if (!isPlainObject(patch)) return { ok: false, message: 'a strategic merge patch must be a JSON object' };
  const merged = mergeMap(target, patch);
  return isPlainObject(merged) ? { ok: true, value: merged } : { ok: false, message: 'the patch deletes the whole object' };
}

function mergeMap(target: unknown, patch: Obj): unknown {
  if (patch.$patch === 'delete') return undefined;
  if (patch.$patch === 'replace') {
    const { $patch: _p, ...rest } = patch;
    return stripDirectives(rest);
  }
  const result: Obj = isPlainObject(target) ? { ...target } : {};
  const retain = Array.isArray(patch.$retainKeys) ? new Set(patch.$retainKeys.map(String)) : undefined;
  for (const [key, value] of Object.entries(patch)) {
    if (key === '$patch' || key === '$retainKeys' || key.startsWith(SET_ORDER)) continue;
    if (key.startsWith(DELETE_PRIMITIVES)) {
      const field = key.slice(DELETE_PRIMITIVES.length);
      const gone = new Set((Array.isArray(value) ? value : []).map((v) => JSON.stringify(v)));
      if (Array.isArray(result[field])) result[field] = (result[field] as unknown[]).filter((v) => !gone.has(JSON.stringify(v)));
      continue;
    }
    if (value === null) delete result[key];
    else if (isPlainObject(value)) {
      const merged = mergeMap(result[key], value);
      if (merged === undefined) delete result[key];
      else result[key] = merged;
    } else if (Array.isArray(value) && MERGE_KEYS[key] && Array.isArray(result[key])) result[key] = mergeList(result[key] as unknown[], value, MERGE_KEYS[key]);
    else result[key] = stripDirectives(value);
  }
  if (retain) for (const key of Object.keys(result)) if (!retain.has(key)) delete result[key];
  return result;
}

function mergeList(target: unknown[], patch: unknown[], mergeKey: string): unknown[] {
  if (patch.some((item) => isPlainObject(item) && item.$patch === 'replace')) return stripDirectives(patch.filter((item) => !(isPlainObject(item) && item.$patch === 'replace'))) as unknown[];
  const result = [...target];
  for (const item of patch) {
    if (!isPlainObject(item) || !(mergeKey in item)) {
      result.push(stripDirectives(item));
      continue;
    }
    const at = result.findIndex((existing) => isPlainObject(existing) && existing[mergeKey] === item[mergeKey]);
    if (item.$patch === 'delete') {
      if (at >= 0) result.splice(at, 1);
      continue;
    }
    if (at >= 0) result[at] = mergeMap(result[at], item);
    else result.push(stripDirectives(item));
  }
  return result;
}

function stripDirectives(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stripDirectives);
  if (!isPlainObject(value)) return value;
  return Object.fromEntries(Object.entries(value).filter(([k]) => !k.startsWith('$')).map(([k, v]) => [k, stripDirectives(v)]));
}

/** RFC 7396 on an object. */
export function jsonMergePatch(target: Obj, patch: unknown): PatchOutcome {
  const merged = applyMergePatch(target, patch);
  return isPlainObject(merged) ? { ok: true, value: merged } : { ok: false, message: 'a merge patch must be a JSON object' };
}

const unescape = (token: string) => token.replace(/~1/g, '/').replace(/~0/g, '~');

/** RFC 6902: add, remove, replace, move, copy, test, applied in order to a copy; any failure refuses the whole patch. */
export function jsonPatch(target: Obj, operations: unknown): PatchOutcome {
  if (!Array.isArray(operations)) return { ok: false, message: 'a JSON patch must be an array of operations' };
  let doc: unknown = structuredClone(target);
  for (const [i, op] of operations.entries()) {
    if (!isPlainObject(op) || typeof op.op !== 'string' || typeof op.path !== 'string') return { ok: false, message: `operation ${i} needs op and path` };
    const step = applyOperation(doc, op);
    if (typeof step === 'string') return { ok: false, message: `operation ${i} (${op.op} ${op.path}): ${step}` };
    doc = step.doc;
  }
  return isPlainObject(doc) ? { ok: true, value: doc } : { ok: false, message: 'the patch replaces the object with a non-object' };
}

function parent(doc: unknown, path: string): { container: Obj | unknown[]; key: string } | string {
  if (!path.startsWith('/')) return 'path must start with /';
  const tokens = path.slice(1).split('/').map(unescape);
  const key = tokens.pop()!;
  let node: unknown = doc;
  for (const token of tokens) {
    if (Array.isArray(node)) node = node[Number(token)];
    else if (isPlainObject(node)) node = node[token];
    else return `no such path`;
  }
  if (!Array.isArray(node) && !isPlainObject(node)) return 'no such path';
  return { container: node, key };
}

function read(doc: unknown, path: string): { found: boolean; value?: unknown } {
  if (path === '') return { found: true, value: doc };
  const p = parent(doc, path);
  if (typeof p === 'string') return { found: false };
  const { container, key } = p;
  if (Array.isArray(container)) return /^\d+$/.test(key) && Number(key) < container.length ? { found: true, value: container[Number(key)] } : { found: false };
  return key in container ? { found: true, value: container[key] } : { found: false };
}

function applyOperation(doc: unknown, op: Obj): { doc: unknown } | string {
  const path = op.path as string;
  const put = (at: string, value: unknown, insert: boolean): { doc: unknown } | string => {
    if (at === '') return { doc: value };
    const p = parent(doc, at);
    if (typeof p === 'string') return p;
    const { container, key } = p;
    if (Array.isArray(container)) {
      const index = key === '-' ? container.length : Number(key);
      if (!Number.isInteger(index) || index < 0 || index > container.length || (!insert && index === container.length)) return 'index out of range';
      container.splice(index, insert ? 0 : 1, structuredClone(value));
    } else container[key] = structuredClone(value);
    return { doc };
  };
  const remove = (at: string): { doc: unknown } | string => {
    const p = parent(doc, at);
    if (typeof p === 'string') return p;
    const { container, key } = p;
    if (Array.isArray(container)) {
      const index = Number(key);
      if (!Number.isInteger(index) || index < 0 || index >= container.length) return 'index out of range';
      container.splice(index, 1);
    } else {
      if (!(key in container)) return 'no such member';
      delete container[key];
    }
    return { doc };
  };
  switch (op.op) {
    case 'add':
      return put(path, op.value, true);
    case 'replace': {
      if (!read(doc, path).found) return 'no such member';
      return put(path, op.value, false);
    }
    case 'remove':
      return remove(path);
    case 'move':
    case 'copy': {
      if (typeof op.from !== 'string') return 'needs from';
      const from = read(doc, op.from);
      if (!from.found) return 'from does not exist';
      if (op.op === 'move') {
        const removed = remove(op.from);
        if (typeof removed === 'string') return removed;
      }
      return put(path, from.value, true);
    }
    case 'test': {
      const found = read(doc, path);
      return found.found && JSON.stringify(found.value) === JSON.stringify(op.value) ? { doc } : 'test failed';
    }
    default:
      return `unknown op '${String(op.op)}'`;
  }
}
