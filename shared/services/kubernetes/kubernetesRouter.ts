// The Kubernetes API surface's routes (docs/kubernetes-api.md): discovery,
// OpenAPI, namespaces, nodes (hubs) and apps/v1 deployments. Requests and
// answers are plain values so the Functions handler stays a thin adapter.
import { AGGREGATED_DISCOVERY_TYPE, aggregatedDiscovery, apiGroupList, apiResourceList, apiVersions, wantsAggregatedDiscovery } from '../../domain/kubernetes/apiResources';
import { k8sTime, NAMESPACE } from '../../domain/kubernetes/deploymentObject';
import { groupVersionDocument, openApiV3Root } from '../../domain/kubernetes/openapiV3';
import { equalityLabels, matchesFields, matchesLabels, parseFieldSelector, parseLabelSelector } from '../../domain/kubernetes/selectors';
import { failure, notFoundStatus } from '../../domain/kubernetes/status';
import { age, AGE_COLUMN, NAME_COLUMN, table, wantsTable } from '../../domain/kubernetes/table';
import type { HubSetting } from '../../config/settings';
import type { HealthStore } from '../health/healthStore';
import type { HubStatusStore } from '../hubs/hubStatusStore';
import { KubeError, kubeFail } from './kubeError';
import {
  createDeploymentObject,
  deleteDeploymentObject,
  type KubernetesDeploymentsDeps,
  listDeploymentObjects,
  patchDeploymentObject,
  patchTypeOf,
  readDeployment,
  replaceDeploymentObject,
  writeOptionsOf,
} from './kubernetesDeployments';
import { listEventObjects } from './kubernetesEvents';
import { hubNode } from './kubernetesNodes';
import { listPodObjects } from './kubernetesPods';
import { listReplicaSetObjects } from './kubernetesReplicaSets';
import { watchEvents, type WatchSettings, watchStream } from './watch';

export interface KubeRequest {
  readonly method: string;
  /** The path below the surface's base (`/apis/apps/v1/...`). */
  readonly path: string;
  /** The surface's own base path (`/api/k8s`), for URLs it hands out. */
  readonly basePath: string;
  readonly query: URLSearchParams;
  readonly headers: Headers;
  readonly body: () => Promise<string>;
}

export interface KubeResponse {
  readonly status: number;
  readonly body: unknown;
  readonly contentType?: string;
}

export interface KubernetesApiDeps extends KubernetesDeploymentsDeps {
  readonly hubs: readonly HubSetting[];
  readonly hubStatus: HubStatusStore;
  readonly health: HealthStore;
  readonly startedAt: string;
  /** How watches stream: their longest life, polling and bookmark rhythm (watch.ts). */
  readonly watch: WatchSettings;
}

type Obj = Record<string, unknown>;
const ok = (body: unknown, contentType?: string): KubeResponse => ({ status: 200, body, ...(contentType ? { contentType } : {}) });
const isDryRun = (q: URLSearchParams) => q.getAll('dryRun').includes('All');
const isWatch = (q: URLSearchParams) => ['1', 'true'].includes(q.get('watch') ?? '');

const DEPLOYMENT_COLUMNS = [
  NAME_COLUMN,
  { name: 'Ready', type: 'string', description: 'Devices running the current revision / targeted devices' },
  { name: 'Up-to-date', type: 'integer', description: 'Targeted devices on the current revision' },
  { name: 'Available', type: 'integer', description: 'Devices running the current revision' },
  AGE_COLUMN,
  { name: 'Revision', type: 'integer', description: 'The current revision', priority: 1 },
  { name: 'Containers', type: 'string', description: 'Modules', priority: 1 },
  { name: 'Images', type: 'string', description: 'Module images', priority: 1 },
] as const;

function deploymentCells(o: Obj): unknown[] {
  const m = o.metadata as { name: string; creationTimestamp: string; generation: number };
  const s = (o.status ?? {}) as { replicas?: number; updatedReplicas?: number; readyReplicas?: number; availableReplicas?: number };
  const containers = (((o.spec as Obj).template as Obj | undefined)?.spec as { containers?: { name: string; image: string }[] } | undefined)?.containers ?? [];
  return [m.name, `${s.readyReplicas ?? 0}/${s.replicas ?? 0}`, s.updatedReplicas ?? 0, s.availableReplicas ?? 0, age(m.creationTimestamp), m.generation, containers.map((c) => c.name).join(','), containers.map((c) => c.image).join(',')];
}

const NODE_COLUMNS = [
  NAME_COLUMN,
  { name: 'Status', type: 'string', description: 'Ready: the hub answered the last reconcile pass' },
  { name: 'Roles', type: 'string', description: 'kubernetes.io/role' },
  AGE_COLUMN,
  { name: 'Version', type: 'string', description: 'kubelet version' },
  { name: 'Region', type: 'string', description: 'topology.kubernetes.io/region', priority: 0 },
] as const;

function nodeCells(o: Obj): unknown[] {
  const m = o.metadata as { name: string; creationTimestamp: string; labels: Record<string, string> };
  const ready = ((o.status as Obj).conditions as { type: string; status: string }[]).find((c) => c.type === 'Ready');
  return [m.name, ready?.status === 'True' ? 'Ready' : ready?.status === 'False' ? 'NotReady' : 'Unknown', m.labels['kubernetes.io/role'], age(m.creationTimestamp), 'v1.32.0-edge-fleet', m.labels['topology.kubernetes.io/region']];
}

function listOf(kind: string, apiVersion: string, items: readonly Obj[], continueToken?: string): Obj {
  return { kind: `${kind}List`, apiVersion, metadata: { resourceVersion: String(Date.now()), ...(continueToken ? { continue: continueToken } : {}) }, items };
}

/** A list (or Table, or watch) of objects, filtered by labelSelector and fieldSelector. */
async function serveList(
  request: KubeRequest,
  deps: KubernetesApiDeps,
  kind: { kind: string; apiVersion: string; columns: readonly { name: string; type: string; description: string; priority?: number }[]; cells: (o: Obj) => unknown[] },
  load: (labels: Record<string, string> | undefined, name: string | undefined, limit: number, continueToken: string | undefined) => Promise<{ items: Obj[]; continueToken?: string }>,
): Promise<KubeResponse> {
  const labels = parseLabelSelector(request.query.get('labelSelector'));
  if (!labels.ok) throw kubeFail(400, labels.message);
  const fields = parseFieldSelector(request.query.get('fieldSelector'));
  if (!fields.ok) throw kubeFail(400, fields.message);
  const name = fields.terms.find((t) => t.path === 'metadata.name' && !t.negate)?.value;
  const limit = Math.min(Math.max(Number(request.query.get('limit') ?? 500) || 500, 1), 500);
  const fetchPage = async (continueToken: string | undefined) => {
    const page = await load(equalityLabels(labels.requirements), name, limit, continueToken);
    const items = page.items.filter((o) => matchesLabels(labels.requirements, ((o.metadata as Obj).labels ?? {}) as Record<string, string>) && matchesFields(fields.terms, o));
    return { items, ...(page.continueToken ? { continueToken: page.continueToken } : {}) };
  };
  if (isWatch(request.query)) {
    const asked = request.query.get('timeoutSeconds');
    const seconds = asked === null || asked === '' ? 0 : Number(asked);
    if (!Number.isInteger(seconds) || seconds < 0) throw kubeFail(400, `timeoutSeconds must be a whole number of seconds, not "${asked}"`);
    const timeoutMs = seconds > 0 ? Math.min(seconds * 1000, deps.watch.maxMs) : deps.watch.maxMs;
    // Read once before answering, so a failure here is still a plain error response.
    const read = async () => (await fetchPage(undefined)).items;
    const first = await read();
    const bookmarks = ['1', 'true'].includes(request.query.get('allowWatchBookmarks') ?? '');
    // `kubectl get -w` asks for Tables: each event then carries its object as a one-row Table, as the apiserver sends it.
    const asTable = wantsTable(request.headers.get('accept'));
    const includeObject = request.query.get('includeObject');
    const shaped = async function* (signal: AbortSignal) {
      for await (const e of watchEvents({ first, read, kind, timeoutMs, bookmarks, settings: deps.watch, signal })) {
        yield asTable && (e.type === 'ADDED' || e.type === 'MODIFIED' || e.type === 'DELETED') ? { type: e.type, object: table(kind.columns as never, [e.object], kind.cells, { includeObject }) } : e;
      }
    };
    const body = watchStream(shaped);
    return { status: 200, body, contentType: 'application/json;stream=watch' };
  }
  const page = await fetchPage(request.query.get('continue') ?? undefined);
  if (wantsTable(request.headers.get('accept'))) {
    return ok(table(kind.columns as never, page.items, kind.cells, { includeObject: request.query.get('includeObject'), resourceVersion: String(Date.now()), ...(page.continueToken ? { continueToken: page.continueToken } : {}) }), 'application/json;as=Table;v=v1;g=meta.k8s.io');
  }
  return ok(listOf(kind.kind, kind.apiVersion, page.items, page.continueToken));
}

function single(request: KubeRequest, o: Obj, kind: { columns: readonly { name: string; type: string; description: string; priority?: number }[]; cells: (o: Obj) => unknown[] }): KubeResponse {
  if (wantsTable(request.headers.get('accept'))) return ok(table(kind.columns as never, [o], kind.cells, { includeObject: request.query.get('includeObject') }), 'application/json;as=Table;v=v1;g=meta.k8s.io');
  return ok(o);
}

async function readJsonBody(request: KubeRequest): Promise<Obj> {
  const text = await request.body();
  try {
    const value = JSON.parse(text) as unknown;
    if (value && typeof value === 'object' && !Array.isArray(value)) return value as Obj;
  } catch {
    // answered below
  }
  throw kubeFail(400, 'the request body must be a JSON object');
}

function namespace(deps: KubernetesApiDeps): Obj {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NAMESPACE, uid: 'edge-fleet-default', resourceVersion: '1', creationTimestamp: k8sTime(deps.startedAt), labels: { 'kubernetes.io/metadata.name': NAMESPACE } }, spec: { finalizers: ['kubernetes'] }, status: { phase: 'Active' } };
}

/** There is one namespace (docs/kubernetes-api.md, "Namespaces"): any other is a 404, as for a namespace that does not exist. */
function requireNamespace(name: string): void {
  if (name !== NAMESPACE) throw new KubeError(notFoundStatus('namespaces', name));
}

export async function routeKubernetes(request: KubeRequest, deps: KubernetesApiDeps): Promise<KubeResponse> {
  const parts = request.path.split('/').filter(Boolean).map(decodeURIComponent);
  const method = request.method.toUpperCase();
  const key = parts.join('/');
  const accept = request.headers.get('accept');

  if (key === 'version') return ok({ major: '1', minor: '32', gitVersion: 'v1.32.0-edge-fleet', gitCommit: '', gitTreeState: 'clean', buildDate: deps.startedAt, goVersion: 'n/a', compiler: 'n/a', platform: 'azure/functions' });
  if (key === 'api') return wantsAggregatedDiscovery(accept) ? ok(aggregatedDiscovery(true), AGGREGATED_DISCOVERY_TYPE) : ok(apiVersions());
  if (key === 'apis') return wantsAggregatedDiscovery(accept) ? ok(aggregatedDiscovery(false), AGGREGATED_DISCOVERY_TYPE) : ok(apiGroupList());
  if (key === 'api/v1') return ok(apiResourceList('', 'v1'));
  if (key === 'apis/apps') return ok(apiGroupList().groups[0]);
  if (key === 'apis/apps/v1') return ok(apiResourceList('apps', 'v1'));
  if (key === 'openapi/v3') return ok(openApiV3Root(request.basePath));
  if (parts[0] === 'openapi' && parts[1] === 'v3') {
    const doc = groupVersionDocument(parts.slice(2).join('/'));
    if (doc) return ok(doc);
  }

  // Core v1: the one namespace, nodes (hubs).
  if (key === 'api/v1/namespaces' && method === 'GET') return serveList(request, deps, { kind: 'Namespace', apiVersion: 'v1', columns: [NAME_COLUMN, { name: 'Status', type: 'string', description: 'phase' }, AGE_COLUMN], cells: (o) => [NAMESPACE, 'Active', age(String((o.metadata as Obj).creationTimestamp))] }, () => Promise.resolve({ items: [namespace(deps)] }));
  if (parts[0] === 'api' && parts[1] === 'v1' && parts[2] === 'namespaces' && parts.length === 4 && method === 'GET') {
    requireNamespace(parts[3]!);
    return ok(namespace(deps));
  }
  if (key === 'api/v1/nodes' && method === 'GET') return serveList(request, deps, { kind: 'Node', apiVersion: 'v1', columns: NODE_COLUMNS, cells: nodeCells }, () => nodes(deps).then((items) => ({ items })));
  if (parts[0] === 'api' && parts[2] === 'nodes' && parts.length === 4 && method === 'GET') {
    const node = (await nodes(deps)).find((n) => (n.metadata as Obj).name === parts[3]);
    if (!node) throw new KubeError(notFoundStatus('nodes', parts[3]!));
    return single(request, node, { columns: NODE_COLUMNS, cells: nodeCells });
  }

  // v1 events: what the records say happened to deployments and hubs (read-only, derived).
  const eventsKind = { kind: 'Event', apiVersion: 'v1', columns: EVENT_COLUMNS, cells: eventCells };
  if ((key === 'api/v1/events' || (parts[0] === 'api' && parts[1] === 'v1' && parts[2] === 'namespaces' && parts[4] === 'events')) && method === 'GET') {
    if (parts.length >= 5) requireNamespace(parts[3]!);
    const fields = parseFieldSelector(request.query.get('fieldSelector'));
    const about = (path: string) => (fields.ok ? fields.terms.find((t) => t.path === path && !t.negate)?.value : undefined);
    const load = async () => ({ items: await listEventObjects(deps, { name: about('involvedObject.name'), kind: about('involvedObject.kind') }) });
    if (parts.length <= 5) return serveList(request, deps, eventsKind, load);
    if (parts.length === 6) {
      const found = (await listEventObjects(deps, { name: parts[5]!.replace(/\.[0-9a-f]{16}$/, '') })).find((e) => (e.metadata as Obj).name === parts[5]);
      if (found) return single(request, found, eventsKind);
      throw new KubeError(notFoundStatus('events', parts[5]!));
    }
  }

  // apps/v1 deployments, in the one namespace or across all of them.
  const deploymentsKind = { kind: 'Deployment', apiVersion: 'apps/v1', columns: DEPLOYMENT_COLUMNS, cells: deploymentCells };
  const loadDeployments = (labels: Record<string, string> | undefined, name: string | undefined, limit: number, continueToken: string | undefined) => listDeploymentObjects(deps, { limit, continueToken, labels, name });
  if (key === 'apis/apps/v1/deployments' && method === 'GET') return serveList(request, deps, deploymentsKind, loadDeployments);
  if (parts[0] === 'apis' && parts[1] === 'apps' && parts[2] === 'v1' && parts[3] === 'namespaces' && parts[5] === 'deployments') {
    requireNamespace(parts[4]!);
    const name = parts[6];
    if (name === undefined) {
      if (method === 'GET') return serveList(request, deps, deploymentsKind, loadDeployments);
      if (method === 'POST') return { status: 201, body: await createDeploymentObject(deps, await readJsonBody(request), writeOptionsOf(request.query, request.headers.get('user-agent'), 'create')) };
    } else if (parts.length === 7 || (parts.length === 8 && parts[7] === 'status' && method === 'GET')) {
      if (method === 'GET') return single(request, await readDeployment(deps, name), deploymentsKind);
      if (method === 'PUT') return ok(await replaceDeploymentObject(deps, name, await readJsonBody(request), writeOptionsOf(request.query, request.headers.get('user-agent'), 'update')));
      if (method === 'DELETE') return ok(await deleteDeploymentObject(deps, name, { dryRun: isDryRun(request.query) }));
      if (method === 'PATCH') {
        const type = patchTypeOf(request.headers.get('content-type'));
        if (!type) throw new KubeError(failure(415, `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml, application/strategic-merge-patch+json`));
        return ok(await patchDeploymentObject(deps, name, type, await request.body(), writeOptionsOf(request.query, request.headers.get('user-agent'), type)));
      }
    }
    throw new KubeError(failure(405, `the server does not allow this method on the requested resource`));
  }
  // v1 pods: the devices of each deployment's current revision, read-only.
  if ((key === 'api/v1/pods' || (parts[0] === 'api' && parts[2] === 'namespaces' && parts[4] === 'pods' && parts.length === 5)) && method === 'GET') {
    if (parts.length === 5) requireNamespace(parts[3]!);
    const selector = parseLabelSelector(request.query.get('labelSelector'));
    if (!selector.ok) throw kubeFail(400, selector.message);
    return serveList(request, deps, { kind: 'Pod', apiVersion: 'v1', columns: POD_COLUMNS, cells: podCells }, (_labels, _name, limit, continueToken) => listPodObjects(deps, { limit, continueToken, requirements: selector.requirements }));
  }

  // apps/v1 replicasets: the revisions, read-only.
  const replicaSetsKind = { kind: 'ReplicaSet', apiVersion: 'apps/v1', columns: REPLICASET_COLUMNS, cells: replicaSetCells };
  const loadReplicaSets = (_labels: Record<string, string> | undefined, name: string | undefined) => listReplicaSetObjects(deps, { limit: 500, name });
  if (key === 'apis/apps/v1/replicasets' && method === 'GET') return serveList(request, deps, replicaSetsKind, loadReplicaSets);
  if (parts[0] === 'apis' && parts[1] === 'apps' && parts[3] === 'namespaces' && parts[5] === 'replicasets' && method === 'GET') {
    requireNamespace(parts[4]!);
    if (parts.length === 6) return serveList(request, deps, replicaSetsKind, loadReplicaSets);
    const found = (await listReplicaSetObjects(deps, { limit: 500, name: parts[6] })).items[0];
    if (parts.length === 7 && found) return single(request, found, replicaSetsKind);
    throw new KubeError(notFoundStatus('replicasets', parts[6] ?? '', 'apps'));
  }
  throw new KubeError(failure(404, 'the server could not find the requested resource'));
}

// The apiserver's own event columns (pkg/printers/internalversion/printers.go, eventColumnDefinitions).
const EVENT_COLUMNS = [
  { name: 'Last Seen', type: 'string', description: 'lastTimestamp' },
  { name: 'Type', type: 'string', description: 'Normal or Warning' },
  { name: 'Reason', type: 'string', description: 'reason' },
  { name: 'Object', type: 'string', description: 'involvedObject' },
  { name: 'Source', type: 'string', description: 'source.component', priority: 1 },
  { name: 'Message', type: 'string', description: 'message' },
  { name: 'Name', type: 'string', format: 'name', description: 'metadata.name', priority: 1 },
] as const;

function eventCells(o: Obj): unknown[] {
  const e = o as { lastTimestamp: string; type: string; reason: string; message: string; involvedObject: { kind: string; name: string }; source: { component: string }; metadata: { name: string } };
  return [age(e.lastTimestamp), e.type, e.reason, `${e.involvedObject.kind.toLowerCase()}/${e.involvedObject.name}`, e.source.component, e.message, e.metadata.name];
}

const POD_COLUMNS = [
  NAME_COLUMN,
  { name: 'Ready', type: 'string', description: 'Modules running / modules' },
  { name: 'Status', type: 'string', description: 'Running, CrashLoopBackOff (failed), ContainerCreating (applying), Unknown (offline)' },
  { name: 'Restarts', type: 'integer', description: "restartCount of the device's modules, as edgeAgent last reported them" },
  AGE_COLUMN,
  { name: 'Node', type: 'string', description: 'The hub', priority: 0 },
  { name: 'Device', type: 'string', description: 'The device id', priority: 1 },
] as const;

function podCells(o: Obj): unknown[] {
  const m = o.metadata as { name: string; labels: Record<string, string> };
  const s = o.status as { phase: string; containerStatuses: { ready: boolean; restartCount: number; state: { waiting?: { reason: string } } }[] };
  const waiting = s.containerStatuses.find((c) => c.state.waiting)?.state.waiting?.reason;
  return [m.name, `${s.containerStatuses.filter((c) => c.ready).length}/${s.containerStatuses.length}`, waiting ?? s.phase, s.containerStatuses.reduce((n, c) => n + c.restartCount, 0), '<unknown>', (o.spec as { nodeName: string }).nodeName, m.labels['edge-fleet.dev/device']];
}

const REPLICASET_COLUMNS = [
  NAME_COLUMN,
  { name: 'Desired', type: 'integer', description: 'Targeted devices (current revision only)' },
  { name: 'Current', type: 'integer', description: 'Targeted devices (current revision only)' },
  { name: 'Ready', type: 'integer', description: 'Devices running this revision' },
  AGE_COLUMN,
  { name: 'Revision', type: 'string', description: 'deployment.kubernetes.io/revision', priority: 1 },
] as const;

function replicaSetCells(o: Obj): unknown[] {
  const m = o.metadata as { name: string; creationTimestamp: string; annotations: Record<string, string> };
  const s = o.status as { replicas: number; readyReplicas: number };
  return [m.name, s.replicas, s.replicas, s.readyReplicas, age(m.creationTimestamp), m.annotations['deployment.kubernetes.io/revision']];
}

async function nodes(deps: KubernetesApiDeps): Promise<Obj[]> {
  const statuses = new Map((await deps.hubStatus.all()).map((s) => [s.hub, s]));
  return deps.hubs.map((hub) => hubNode(hub, statuses.get(hub.name), deps.startedAt));
}
