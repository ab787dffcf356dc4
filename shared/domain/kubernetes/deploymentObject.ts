// A deployment as an apps/v1 Deployment object and back
// (https://kubernetes.io/docs/reference/kubernetes-api/workload-resources/deployment-v1/).
// The object the user sent is the stored manifest (one object = one
// deployment); metadata the apiserver owns is derived from our records:
// resourceVersion is the ETag's revision (and what the status shows),
// generation the revision number.
import { createHash } from 'node:crypto';
import { canonicalStringify, isPlainObject } from '../deployments/canonicalJson';
import type { ManagedFieldsEntry } from './managedFields';

type Obj = Record<string, unknown>;

export const NAMESPACE = 'default';
export const REVISION_ANNOTATION = 'deployment.kubernetes.io/revision';
export const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

/** metadata fields the apiserver sets; a client may send them back, they are not part of the desired state. */
const SERVER_METADATA = ['resourceVersion', 'uid', 'creationTimestamp', 'generation', 'managedFields', 'selfLink', 'deletionTimestamp', 'deletionGracePeriodSeconds', 'finalizers', 'ownerReferences', 'generateName'];

/** A stable UID per deployment incarnation (id + creation time), in the UUID form clients expect. */
export function uidOf(id: string, createdAt: string): string {
  const h = createHash('sha256').update(`${id}\n${createdAt}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

/** Kubernetes times are RFC 3339 in whole seconds. */
export const k8sTime = (iso: string) => `${iso.slice(0, 19)}Z`;

/**
 * An object's resourceVersion: its revision, and a fingerprint of the status
 * it shows. In Kubernetes every write changes it, the controllers' status
 * updates included (api-conventions.md, "Concurrency Control and
 * Consistency"), and clients rely on that: client-node's informer keeps a
 * watched object only when its resourceVersion differs from the cached one
 * (cache.ts, isSameVersion), so a status that changed under the same version
 * would never reach its cache. Condition times are left out: they can be
 * the time of the read.
 */
export function resourceVersionOf(revision: number, status?: Obj): string {
  if (!status || Object.keys(status).length === 0) return String(revision);
  const conditions = Array.isArray(status.conditions) ? status.conditions.map((c: unknown) => (isPlainObject(c) ? { ...c, lastTransitionTime: undefined, lastUpdateTime: undefined } : c)) : status.conditions;
  return `${revision}-${createHash('sha256').update(canonicalStringify({ ...status, conditions })).digest('hex').slice(0, 10)}`;
}

/**
 * The revision a resourceVersion names: a write's precondition. Only the
 * revision must match: status is never written through the object (the
 * apiserver too keeps the old status on an update of the main resource),
 * so a write made from a read with an older status loses nothing.
 */
export const revisionOfResourceVersion = (resourceVersion: string): number | undefined => {
  const m = /^(\d+)(?:-[0-9a-f]+)?$/.exec(resourceVersion);
  return m ? Number(m[1]) : undefined;
};

/** The Kubernetes workload inside a stored manifest, as a Deployment-shaped object (a Pod becomes its template). */
export function storedWorkload(manifest: unknown, parse: (text: string) => unknown[]): Obj | undefined {
  if (!isPlainObject(manifest) || !('kubernetes' in manifest)) return undefined;
  const input = manifest.kubernetes;
  const docs = typeof input === 'string' ? parse(input) : Array.isArray(input) ? input : [input];
  const doc = docs.find((d): d is Obj => isPlainObject(d) && (d.kind === 'Deployment' || d.kind === 'Pod'));
  if (!doc) return undefined;
  if (doc.kind === 'Deployment') return doc;
  const metadata = isPlainObject(doc.metadata) ? doc.metadata : {};
  return { apiVersion: 'apps/v1', kind: 'Deployment', metadata, spec: { template: { metadata: { labels: metadata.labels ?? {} }, spec: doc.spec } } };
}

export interface DeploymentFigures {
  /** Devices the revision's target condition matches on its hubs. */
  readonly replicas: number;
  /** Devices on the current revision. */
  readonly updatedReplicas: number;
  /** Devices running the current revision (online, reported 200). */
  readonly readyReplicas: number;
  /** The controller has seen this revision: every hub holds what it should. */
  readonly observed: boolean;
  readonly conditions: readonly { type: string; status: string; reason: string; message: string; lastTransitionTime: string; lastUpdateTime?: string }[];
}

export interface DeploymentRecord {
  readonly id: string;
  readonly revision: number;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly deletedAt?: string | undefined;
  readonly labels: Readonly<Record<string, string>>;
  readonly workload: Obj | undefined;
  readonly paused: boolean;
  /** Field ownership (metadata.managedFields), kept on the deployment's head beside the labels. */
  readonly managedFields: readonly ManagedFieldsEntry[];
}

const templateLabels = (spec: Obj) => (isPlainObject(spec.template) && isPlainObject(spec.template.metadata) && isPlainObject(spec.template.metadata.labels) ? spec.template.metadata.labels : {});

export function renderDeployment(record: DeploymentRecord, figures: DeploymentFigures | undefined): Obj {
  const workload = record.workload ?? {};
  const sent = isPlainObject(workload.metadata) ? workload.metadata : {};
  const spec: Obj = isPlainObject(workload.spec) ? { ...workload.spec } : { template: { metadata: {}, spec: { containers: [] } } };
  spec.replicas ??= 1;
  spec.selector ??= { matchLabels: templateLabels(spec) };
  if (record.paused) spec.paused = true;
  else delete spec.paused;
  const annotations = { ...(isPlainObject(sent.annotations) ? sent.annotations : {}), [REVISION_ANNOTATION]: String(record.revision) };
  const status = figures ? deploymentStatus(record, figures) : {};
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name: record.id,
      namespace: NAMESPACE,
      uid: uidOf(record.id, record.createdAt),
      resourceVersion: resourceVersionOf(record.revision, status),
      generation: record.revision,
      creationTimestamp: k8sTime(record.createdAt),
      ...(record.deletedAt ? { deletionTimestamp: k8sTime(record.deletedAt) } : {}),
      ...(record.managedFields.length ? { managedFields: record.managedFields } : {}),
      labels: { ...record.labels },
      annotations,
    },
    spec,
    status,
  };
}

function deploymentStatus(record: DeploymentRecord, f: DeploymentFigures): Obj {
  const available = Math.min(f.readyReplicas, f.updatedReplicas);
  return {
    ...(f.observed ? { observedGeneration: record.revision } : { observedGeneration: record.revision - 1 }),
    replicas: f.replicas,
    updatedReplicas: f.updatedReplicas,
    readyReplicas: f.readyReplicas,
    availableReplicas: available,
    ...(f.replicas > available ? { unavailableReplicas: f.replicas - available } : {}),
    conditions: f.conditions,
  };
}

export interface RequestObject {
  /** What goes to the shared translation: the user's object without apiserver-owned fields. */
  readonly object: Obj;
  readonly paused: boolean | undefined;
}

/**
 * The desired state in an object a client sent (create, replace, or the
 * result of a patch): apiserver-owned metadata, status and spec.paused (the
 * rollout's pause switch, not manifest content) are taken out.
 */
export function requestObject(sent: Obj): RequestObject {
  const metadata: Obj = isPlainObject(sent.metadata) ? { ...sent.metadata } : {};
  for (const key of [...SERVER_METADATA, 'namespace']) delete metadata[key];
  if (isPlainObject(metadata.annotations)) {
    const { [REVISION_ANNOTATION]: _ours, ...rest } = metadata.annotations;
    metadata.annotations = rest;
  }
  const spec: Obj = isPlainObject(sent.spec) ? { ...sent.spec } : {};
  const paused = typeof spec.paused === 'boolean' ? spec.paused : undefined;
  delete spec.paused;
  // Zero-value fields a client echoes from a GET mean "nothing asked".
  const { status: _status, ...rest } = sent;
  return { object: { ...rest, metadata, spec }, paused };
}
