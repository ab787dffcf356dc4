// A deployment made from an IoT Edge manifest (not from Kubernetes YAML) as a
// read-only Deployment-shaped workload, so `kubectl get/describe` show its
// modules as containers instead of an empty template. It is read from the
// revision's canonical modulesContent (what the hubs get), so every manifest
// form, base or layered, reads the same. Writing such a deployment through
// the Kubernetes surface would translate it back from this view and lose what
// the view cannot hold (routes, createOptions, twins), so it is refused (see
// kubernetesDeployments.ts); the REST API stays its way in.
import { isPlainObject } from '../deployments/canonicalJson';
import type { ModulesContent } from '../deployments/edgeContent';

type Obj = Record<string, unknown>;

/** Marks the view: the annotation's value says where the deployment is managed. */
export const MANAGED_BY_MANIFEST = 'edge-fleet.dev/managed-by';
export const MANIFEST_SOURCE = 'iotedge-manifest';

const MODULE_KEY = 'properties.desired.modules.';

/** User modules of the content: `modules` of a base deployment, `properties.desired.modules.<name>` keys of a layered one. */
function userModules(content: ModulesContent): [string, Obj][] {
  const agent = (content.$edgeAgent ?? {}) as Obj;
  const desired = agent['properties.desired'];
  if (isPlainObject(desired) && isPlainObject(desired.modules)) return Object.entries(desired.modules).filter((e): e is [string, Obj] => isPlainObject(e[1]));
  return Object.entries(agent).flatMap(([key, value]) => (key.startsWith(MODULE_KEY) && isPlainObject(value) ? [[key.slice(MODULE_KEY.length), value] as [string, Obj]] : []));
}

function container(name: string, module: Obj): Obj {
  const settings = isPlainObject(module.settings) ? module.settings : {};
  const env = isPlainObject(module.env) ? Object.entries(module.env).map(([k, v]) => ({ name: k, value: String(isPlainObject(v) ? v.value : v) })) : [];
  return { name, image: typeof settings.image === 'string' ? settings.image : '', ...(env.length ? { env } : {}) };
}

export function manifestWorkload(id: string, content: ModulesContent): Obj {
  const labels = { app: id };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { annotations: { [MANAGED_BY_MANIFEST]: MANIFEST_SOURCE } },
    spec: {
      selector: { matchLabels: labels },
      template: { metadata: { labels }, spec: { containers: userModules(content).sort(([a], [b]) => a.localeCompare(b)).map(([name, m]) => container(name, m)) } },
    },
  };
}

export const isManifestView = (object: Obj) => isPlainObject(object.metadata) && isPlainObject(object.metadata.annotations) && object.metadata.annotations[MANAGED_BY_MANIFEST] === MANIFEST_SOURCE;
