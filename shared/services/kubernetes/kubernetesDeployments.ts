// apps/v1 Deployments over the deployment use cases: one object is one
// deployment, a changed object a new revision (docs/kubernetes-api.md).
// Every write goes through the shared Kubernetes translation
// (kubernetesRequest); a field it would drop is refused with a 422 here.
import { parse as parseYaml } from 'yaml';
import { canonicalStringify } from '../../domain/deployments/canonicalJson';
import type { ManifestContext } from '../../domain/deployments/normalize';
import { kubernetesRequest } from '../../domain/deployments/parseDeploymentRequest';
import { type DeploymentRecord, renderDeployment, requestObject, revisionOfResourceVersion } from '../../domain/kubernetes/deploymentObject';
import { applyConflictStatus, type ManagedFieldsEntry, managedFieldsOf, planApply, recordUpdate, settleApply, updateBase } from '../../domain/kubernetes/managedFields';
import { jsonMergePatch, jsonPatch, type PatchOutcome, strategicMergePatch } from '../../domain/kubernetes/patches';
import { isManifestView, MANAGED_BY_MANIFEST } from '../../domain/kubernetes/manifestWorkload';
import { managerOf, writeOptionCauses } from '../../domain/kubernetes/writeOptions';
import { failure } from '../../domain/kubernetes/status';
import { isAppError } from '../../errors';
import { isPlainObject } from '../../domain/deployments/canonicalJson';
import { deploymentStatus, type StatusDeps } from '../deployments/deploymentStatus';
import { createDeployment, deleteDeployment, type DeploymentsDeps, getKubernetesDeployment, listDeployments, replaceDeployment, replaceManagedFields } from '../deployments/deploymentsService';
import { type ControlDeps, controlRollout } from '../rollout/controlRollout';
import { deploymentFigures } from './deploymentFigures';
import { asKubernetes, KubeError, kubeFail } from './kubeError';
import { workloadOf } from './revisionWorkload';

export interface KubernetesDeploymentsDeps {
  readonly deployments: () => Promise<DeploymentsDeps>;
  readonly status: StatusDeps;
  readonly control: ControlDeps;
  readonly context: ManifestContext;
}

type Obj = Record<string, unknown>;
const target = (name: string) => ({ name, group: 'apps', kind: 'deployments' });


async function record(deps: KubernetesDeploymentsDeps, name: string): Promise<DeploymentRecord> {
  const { deployment, managedFields, content } = await getKubernetesDeployment(await deps.deployments(), name);
  const rollout = await deps.control.rollouts.get(name);
  return {
    id: deployment.id,
    revision: deployment.revision,
    createdAt: deployment.createdAt,
    updatedAt: deployment.updatedAt,
    deletedAt: deployment.deletedAt,
    labels: deployment.labels,
    // A deployment made from an IoT Edge manifest reads as its modules (read-only, see manifestWorkload.ts).
    workload: workloadOf(deployment.id, deployment.manifest, content),
    paused: rollout?.state.revision === deployment.revision && rollout.state.phase === 'paused',
    managedFields: managedFieldsOf(managedFields),
  };
}

export async function readDeployment(deps: KubernetesDeploymentsDeps, name: string): Promise<Obj> {
  return asKubernetes(target(name), async () => {
    const r = await record(deps, name);
    return renderDeployment(r, deploymentFigures(await deploymentStatus(deps.status, name)));
  });
}

export interface ListOptions {
  readonly limit: number;
  readonly continueToken?: string | undefined;
  readonly labels?: Record<string, string> | undefined;
  readonly name?: string | undefined;
}

export async function listDeploymentObjects(deps: KubernetesDeploymentsDeps, options: ListOptions): Promise<{ items: Obj[]; continueToken?: string }> {
  if (options.name !== undefined) {
    try {
      const one = await readDeployment(deps, options.name);
      const labels = (one.metadata as { labels: Record<string, string> }).labels;
      return { items: Object.entries(options.labels ?? {}).every(([k, v]) => labels[k] === v) ? [one] : [] };
    } catch (error) {
      if (error instanceof KubeError && error.status.code === 404) return { items: [] };
      throw error;
    }
  }
  const page = await listDeployments((await deps.deployments()), { pageSize: options.limit, ...(options.continueToken ? { continuationToken: options.continueToken } : {}), ...(options.labels ? { labels: options.labels } : {}) });
  const items: Obj[] = [];
  for (const summary of page.items) {
    try {
      items.push(await readDeployment(deps, summary.id));
    } catch (error) {
      if (!(error instanceof KubeError && error.status.code === 404)) throw error; // deleted meanwhile
    }
  }
  return { items, ...(page.continuationToken ? { continueToken: page.continuationToken } : {}) };
}

/** The translation's answer for an object; every field it would drop is a 422 naming the field. */
function translate(deps: KubernetesDeploymentsDeps, name: string, object: Obj) {
  const parsed = kubernetesRequest(object, deps.context, { id: name });
  if (!parsed.ok) throw parsed.error;
  const dropped = parsed.value.normalized.warnings.filter((w) => w.code === 'dropped_field');
  if (dropped.length) {
    const causes = dropped.map((w) => ({ reason: 'FieldValueNotSupported', message: w.detail, field: fieldOf(w.pointer) }));
    throw new KubeError(failure(422, `Deployment.apps "${name}" is invalid: ${causes.map((c) => `${c.field}: ${c.message}`).join('; ')}`, target(name), causes));
  }
  return parsed.value;
}

const fieldOf = (pointer: string) =>
  pointer
    .split('/')
    .slice(1)
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce((path, part) => (/^\d+$/.test(part) ? `${path}[${part}]` : path ? `${path}.${part}` : part), '');

function nameOf(sent: Obj, urlName: string | undefined): string {
  const metadata = (sent.metadata ?? {}) as { name?: unknown; namespace?: unknown };
  if (sent.kind !== 'Deployment' || sent.apiVersion !== 'apps/v1') throw kubeFail(400, `the body must be an apps/v1 Deployment (got ${String(sent.apiVersion)} ${String(sent.kind)})`);
  if (metadata.namespace !== undefined && metadata.namespace !== 'default') throw kubeFail(400, `the namespace of the provided object (${JSON.stringify(metadata.namespace)}) does not match the namespace sent on the request (default)`);
  const name = typeof metadata.name === 'string' ? metadata.name : urlName;
  if (!name) throw new KubeError(failure(422, 'Deployment.apps "" is invalid: metadata.name: Required value: name or generateName is required', {}, [{ reason: 'FieldValueRequired', message: 'Required value: name or generateName is required', field: 'metadata.name' }]));
  if (urlName && name !== urlName) throw kubeFail(400, `the name of the object (${name}) does not match the name on the URL (${urlName})`);
  return name;
}

/** The options of a write: dry run, and who makes it (the field manager its ownership goes to). */
export interface WriteOptions {
  readonly dryRun: boolean;
  readonly fieldManager: string;
  /** Apply only: take the fields other managers own instead of answering a conflict. */
  readonly force: boolean;
}

/**
 * The write options of a request, checked as the apiserver checks
 * CreateOptions/UpdateOptions/PatchOptions (a 422 naming the option);
 * `write` is `create` (POST), `update` (PUT) or a PATCH's patch type.
 */
export function writeOptionsOf(query: URLSearchParams, userAgent: string | null, write: 'create' | 'update' | PatchType): WriteOptions {
  const patch = write !== 'create' && write !== 'update';
  const causes = writeOptionCauses({ fieldManager: query.get('fieldManager'), force: query.get('force'), apply: patch ? write === 'apply' : undefined });
  if (causes.length) {
    const kind = write === 'create' ? 'CreateOptions' : write === 'update' ? 'UpdateOptions' : 'PatchOptions';
    throw new KubeError(failure(422, `${kind}.meta.k8s.io "" is invalid: ${causes.map((c) => `${c.field}: ${c.message}`).join(', ')}`, { group: 'meta.k8s.io', kind }, causes));
  }
  return { dryRun: query.getAll('dryRun').includes('All'), fieldManager: managerOf(query.get('fieldManager'), userAgent), force: query.get('force') === 'true' };
}

const metadataOf = (sent: Obj): Obj => (isPlainObject(sent.metadata) ? sent.metadata : {});

/** The object as answered: managedFields set by this write, not what the rendering read from storage. */
function withManagedFields(object: Obj, managedFields: readonly ManagedFieldsEntry[]): Obj {
  const { managedFields: _stale, ...metadata } = object.metadata as Obj;
  return { ...object, metadata: { ...(managedFields.length ? { managedFields } : {}), ...metadata } };
}

/** Who owns what after a write: `live` and `next` are the objects as rendered before and after it. */
type Ownership = (live: Obj | undefined, next: Obj, now: string) => readonly ManagedFieldsEntry[];

/** A new object (create, or an apply of an object that does not exist): revision 1 with its managedFields. */
async function createObject(deps: KubernetesDeploymentsDeps, name: string, sent: Obj, options: WriteOptions, ownership: Ownership): Promise<Obj> {
  const { object, paused } = requestObject(sent);
  if (paused) throw kubeFail(422, `Deployment.apps "${name}" is invalid: spec.paused: a new deployment cannot start paused; pause its rollout with \`kubectl rollout pause\``, target(name));
  const parsed = translate(deps, name, object);
  const now = new Date().toISOString();
  const next = renderDeployment({ id: name, revision: 1, createdAt: now, updatedAt: now, labels: parsed.spec.labels, workload: object, paused: false, managedFields: [] }, undefined);
  const managedFields = ownership(undefined, next, now);
  if (options.dryRun) return withManagedFields(next, managedFields);
  await createDeployment(await deps.deployments(), JSON.stringify(object), 'application/json', { managedFields });
  return readDeployment(deps, name);
}

export async function createDeploymentObject(deps: KubernetesDeploymentsDeps, sent: Obj, options: WriteOptions): Promise<Obj> {
  const name = nameOf(sent, undefined);
  return asKubernetes(target(name), async () =>
    createObject(deps, name, sent, options, (live, next, now) => recordUpdate({ live, next, entries: updateBase(metadataOf(sent).managedFields, []), manager: options.fieldManager, now })),
  );
}

/** A new revision of a manifest-made deployment from its Kubernetes view would lose what the view cannot hold. */
function manifestManaged(name: string): KubeError {
  const field = `metadata.annotations[${MANAGED_BY_MANIFEST}]`;
  const message = `the deployment was made from an IoT Edge manifest, which this view cannot hold whole (routes, createOptions, module twins); change it through the REST API (PUT /api/deployments/${name}), or delete it and apply a Kubernetes Deployment`;
  return new KubeError(failure(422, `Deployment.apps "${name}" is invalid: ${field}: ${message}`, target(name), [{ reason: 'FieldValueForbidden', message, field }]));
}

/**
 * The object replaced by `sent`: a changed object is a new revision; an
 * unchanged one with spec.paused flipped pauses or resumes the rollout; a
 * write that changes only who owns what replaces the head's managedFields.
 * `resourceVersion` in the object must name the current revision (409
 * otherwise; absent or empty it is no precondition, as for a Deployment in Kubernetes).
 */
async function writeObject(deps: KubernetesDeploymentsDeps, current: DeploymentRecord, sent: Obj, options: WriteOptions, ownership: Ownership): Promise<Obj> {
  const name = current.id;
  const sentVersion = metadataOf(sent).resourceVersion;
  if (sentVersion !== undefined && sentVersion !== '' && (typeof sentVersion !== 'string' || revisionOfResourceVersion(sentVersion) !== current.revision)) {
    throw new KubeError(failure(409, `Operation cannot be fulfilled on deployments.apps "${name}": the object has been modified; please apply your changes to the latest version and try again`, target(name), [], 'Conflict'));
  }
  const { object, paused } = requestObject(sent);
  const live = renderDeployment(current, undefined);
  // Compared as rendered: a defaulted field an apply prunes (replicas) renders the same, and is no new revision.
  const labels = (isPlainObject(object.metadata) && isPlainObject(object.metadata.labels) ? object.metadata.labels : {}) as Record<string, string>;
  const rendered = renderDeployment({ ...current, labels, workload: object, revision: current.revision + 1, paused: paused ?? false }, undefined);
  const changed = canonicalStringify(requestObject(rendered).object) !== canonicalStringify(requestObject(live).object);
  if (changed && isManifestView(live)) throw manifestManaged(name);
  const parsed = changed ? translate(deps, name, object) : undefined;
  // Ownership is computed on the object as it will be rendered, so a field that does not round-trip is not owned.
  const next = renderDeployment({ ...current, ...(parsed ? { labels: parsed.spec.labels, workload: object, revision: current.revision + 1 } : {}), paused: paused ?? false }, undefined);
  const managedFields = ownership(live, next, new Date().toISOString());
  if (options.dryRun) return withManagedFields(next, managedFields);
  if (changed) await replaceDeployment(await deps.deployments(), name, current.revision, JSON.stringify(object), 'application/json', { managedFields });
  else if (canonicalStringify(managedFields) !== canonicalStringify(current.managedFields)) await replaceManagedFields(await deps.deployments(), name, current.revision, managedFields);
  // Absent is false, as in Kubernetes: `rollout resume` sends {"spec":{"paused":null}}.
  if ((paused ?? false) !== current.paused) await setPaused(deps, name, paused ?? false);
  return readDeployment(deps, name);
}

export async function replaceDeploymentObject(deps: KubernetesDeploymentsDeps, name: string, sent: Obj, options: WriteOptions): Promise<Obj> {
  nameOf(sent, name);
  return asKubernetes(target(name), async () => {
    const current = await record(deps, name);
    return writeObject(deps, current, sent, options, (live, next, now) => recordUpdate({ live, next, entries: updateBase(metadataOf(sent).managedFields, current.managedFields), manager: options.fieldManager, now }));
  });
}

/**
 * Server-side apply: the applied configuration merged into the live object,
 * with the fields the same manager applied before and no longer applies
 * removed unless another manager owns them; a change to a field another
 * manager owns is a 409 conflict unless forced. Creates the object when absent.
 */
async function applyDeploymentObject(deps: KubernetesDeploymentsDeps, name: string, body: string, options: WriteOptions): Promise<Obj> {
  let applied: unknown;
  try {
    applied = parseYaml(body);
  } catch (e) {
    throw kubeFail(400, `error decoding YAML: ${(e as Error).message}`, target(name));
  }
  if (!isPlainObject(applied)) throw kubeFail(400, 'error decoding YAML: the applied configuration must be an object', target(name));
  nameOf(applied, name);
  // managedfields FieldManager.Apply: an applied configuration cannot carry ownership.
  if (metadataOf(applied).managedFields !== undefined) throw kubeFail(400, 'metadata.managedFields must be nil', target(name));
  return asKubernetes(target(name), async () => {
    const current = await record(deps, name).catch((error: unknown) => {
      if (isAppError(error) && error.status === 404) return undefined;
      throw error;
    });
    const live = current ? renderDeployment(current, undefined) : undefined;
    const plan = planApply({ live, applied, entries: current?.managedFields ?? [], manager: options.fieldManager });
    const settle: Ownership = (before, next, now) => {
      const outcome = settleApply(plan, before, next, { force: options.force, now });
      if (!outcome.ok) throw new KubeError(applyConflictStatus(outcome.conflicts));
      return outcome.entries;
    };
    return current ? writeObject(deps, current, plan.object, options, settle) : createObject(deps, name, plan.object, options, settle);
  });
}

async function setPaused(deps: KubernetesDeploymentsDeps, name: string, paused: boolean): Promise<void> {
  try {
    await controlRollout(deps.control, name, paused ? 'pause' : 'resume');
  } catch (error) {
    if (isAppError(error) && (error.code === 'RolloutNotFound' || error.code === 'RolloutStateConflict' || error.status === 409)) {
      throw new KubeError(failure(422, `Deployment.apps "${name}" is invalid: spec.paused: ${error.message} (only a progressive rollout in progress can be paused or resumed)`, target(name), [{ reason: 'FieldValueInvalid', message: error.message, field: 'spec.paused' }]));
    }
    throw error;
  }
}

export type PatchType = 'strategic' | 'merge' | 'json' | 'apply';

export function patchTypeOf(contentType: string | null): PatchType | undefined {
  const media = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  return (
    ({ 'application/strategic-merge-patch+json': 'strategic', 'application/merge-patch+json': 'merge', 'application/json-patch+json': 'json', 'application/apply-patch+yaml': 'apply', 'application/apply-patch+cbor': undefined } as Record<string, PatchType | undefined>)[media]
  );
}

/**
 * PATCH in every form kubectl sends: server-side apply (with field ownership,
 * see applyDeploymentObject) or a patch of the live object, an Update of the
 * fields it changes for `options.fieldManager`.
 */
export async function patchDeploymentObject(deps: KubernetesDeploymentsDeps, name: string, type: PatchType, body: string, options: WriteOptions): Promise<Obj> {
  if (type === 'apply') return applyDeploymentObject(deps, name, body, options);
  let patch: unknown;
  try {
    patch = JSON.parse(body);
  } catch (e) {
    throw kubeFail(400, `the patch is not valid JSON: ${(e as Error).message}`, target(name));
  }
  const live = await readDeployment(deps, name);
  const outcome: PatchOutcome = type === 'json' ? jsonPatch(live, patch) : type === 'merge' ? jsonMergePatch(live, patch) : strategicMergePatch(live, patch);
  if (!outcome.ok) throw new KubeError(failure(type === 'json' ? 422 : 400, outcome.message, target(name)));
  const { status: _status, ...next } = outcome.value;
  return replaceDeploymentObject(deps, name, next, options);
}

export async function deleteDeploymentObject(deps: KubernetesDeploymentsDeps, name: string, options: { dryRun: boolean }): Promise<Obj> {
  return asKubernetes(target(name), async () => {
    const live = await readDeployment(deps, name);
    if (!options.dryRun) await deleteDeployment((await deps.deployments()), name, undefined);
    const uid = (live.metadata as { uid: string }).uid;
    return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details: { name, group: 'apps', kind: 'deployments', uid } };
  });
}
