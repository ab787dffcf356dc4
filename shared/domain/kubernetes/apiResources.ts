// The resources the Kubernetes API surface serves and the discovery documents
// built from them: the legacy lists (APIVersions, APIGroupList,
// APIResourceList) and the aggregated form kubectl 1.32 asks for first
// (apidiscovery.k8s.io/v2 APIGroupDiscoveryList, KEP-3352;
// https://kubernetes.io/docs/concepts/overview/kubernetes-api/#aggregated-discovery).

export interface ApiResource {
  readonly group: '' | 'apps';
  readonly version: 'v1';
  /** Plural, as in the URL. */
  readonly name: string;
  readonly singular: string;
  readonly kind: string;
  readonly namespaced: boolean;
  readonly verbs: readonly string[];
  readonly shortNames?: readonly string[];
  readonly categories?: readonly string[];
}

const READ = ['get', 'list', 'watch'];

export const API_RESOURCES: readonly ApiResource[] = [
  { group: '', version: 'v1', name: 'namespaces', singular: 'namespace', kind: 'Namespace', namespaced: false, verbs: ['get', 'list'], shortNames: ['ns'] },
  { group: '', version: 'v1', name: 'nodes', singular: 'node', kind: 'Node', namespaced: false, verbs: READ, shortNames: ['no'] },
  { group: '', version: 'v1', name: 'pods', singular: 'pod', kind: 'Pod', namespaced: true, verbs: READ, shortNames: ['po'], categories: ['all'] },
  { group: '', version: 'v1', name: 'events', singular: 'event', kind: 'Event', namespaced: true, verbs: READ, shortNames: ['ev'] },
  { group: 'apps', version: 'v1', name: 'deployments', singular: 'deployment', kind: 'Deployment', namespaced: true, verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'], shortNames: ['deploy'], categories: ['all'] },
  { group: 'apps', version: 'v1', name: 'replicasets', singular: 'replicaset', kind: 'ReplicaSet', namespaced: true, verbs: READ, shortNames: ['rs'], categories: ['all'] },
];

export const resourceOf = (group: string, name: string) => API_RESOURCES.find((r) => r.group === group && r.name === name);
const groupVersion = (r: ApiResource) => (r.group ? `${r.group}/${r.version}` : r.version);

export const AGGREGATED_DISCOVERY_TYPE = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList';

/** kubectl asks for aggregated discovery with an Accept list; the legacy form is the fallback. */
export const wantsAggregatedDiscovery = (accept: string | null) => !!accept && /as=APIGroupDiscoveryList/.test(accept) && /v=v2(?![\w.])/.test(accept);

const ALL_CIDRS = [{ clientCIDR: '0.0.0.0/0', serverAddress: '' }];

export function apiVersions() {
  return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: ALL_CIDRS };
}

export function apiGroupList() {
  const gv = { groupVersion: 'apps/v1', version: 'v1' };
  return { kind: 'APIGroupList', apiVersion: 'v1', groups: [{ name: 'apps', versions: [gv], preferredVersion: gv }] };
}

export function apiResourceList(group: string, version: string) {
  const resources = API_RESOURCES.filter((r) => r.group === group && r.version === version);
  if (!resources.length) return undefined;
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion: group ? `${group}/${version}` : version,
    resources: resources.flatMap((r) => [
      { name: r.name, singularName: r.singular, namespaced: r.namespaced, kind: r.kind, verbs: r.verbs, ...(r.shortNames ? { shortNames: r.shortNames } : {}), ...(r.categories ? { categories: r.categories } : {}) },
      ...(r.kind === 'Deployment' ? [{ name: 'deployments/status', singularName: '', namespaced: true, kind: 'Deployment', verbs: ['get'] }] : []),
    ]),
  };
}

/** One APIGroupDiscovery per group; `/api` holds the core group ('' ), `/apis` the named ones. */
export function aggregatedDiscovery(core: boolean) {
  const groups = [...new Set(API_RESOURCES.filter((r) => (r.group === '') === core).map((r) => r.group))];
  return {
    kind: 'APIGroupDiscoveryList',
    apiVersion: 'apidiscovery.k8s.io/v2',
    metadata: {},
    items: groups.map((group) => ({
      metadata: group ? { name: group, creationTimestamp: null } : { creationTimestamp: null },
      versions: [
        {
          version: 'v1',
          freshness: 'Current',
          resources: API_RESOURCES.filter((r) => r.group === group).map((r) => ({
            resource: r.name,
            responseKind: { group: r.group, version: r.version, kind: r.kind },
            scope: r.namespaced ? 'Namespaced' : 'Cluster',
            singularResource: r.singular,
            verbs: r.verbs,
            ...(r.shortNames ? { shortNames: r.shortNames } : {}),
            ...(r.categories ? { categories: r.categories } : {}),
            ...(r.kind === 'Deployment' ? { subresources: [{ subresource: 'status', responseKind: { group: 'apps', version: 'v1', kind: 'Deployment' }, verbs: ['get'] }] } : {}),
          })),
        },
      ],
    })),
  };
}

export { groupVersion };
