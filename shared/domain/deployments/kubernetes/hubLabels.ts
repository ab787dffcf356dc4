// nodeSelector keys that choose hubs, not devices. On the Kubernetes API
// surface every configured hub is a node (docs/kubernetes-api.md) labelled
// with these, so the virtual-kubelet habit of a nodeSelector on the node's
// region or name picks the regional hub; every other key is a device tag.
import type { HubSelector } from '../hubSelector';

/** The well-known label (https://kubernetes.io/docs/reference/labels-annotations-taints/#topologykubernetesioregion). */
export const REGION_LABEL = 'topology.kubernetes.io/region';
/** A hub node's name (`kubernetes.io/hostname` already names a device). */
export const HUB_LABEL = 'edge-fleet.dev/hub';
/** A hub's own labels (HUBS[].labels) appear on its node under this prefix. */
export const HUB_LABEL_PREFIX = 'hub.edge-fleet.dev/';

export const isHubLabel = (key: string) => key === REGION_LABEL || key === HUB_LABEL || key.startsWith(HUB_LABEL_PREFIX);

/** The hub selector a nodeSelector's hub keys ask for ({} when it has none). */
export function hubSelectorOf(nodeSelector: Readonly<Record<string, string>> | undefined): HubSelector {
  const selector: { names?: string[]; regions?: string[]; labels?: Record<string, string> } = {};
  for (const [key, value] of Object.entries(nodeSelector ?? {})) {
    if (key === REGION_LABEL) selector.regions = [value];
    else if (key === HUB_LABEL) selector.names = [value];
    else if (key.startsWith(HUB_LABEL_PREFIX)) selector.labels = { ...selector.labels, [key.slice(HUB_LABEL_PREFIX.length)]: value };
  }
  return selector;
}

/** Both must hold: lists intersect (an empty intersection selects no hub, which the caller refuses). */
export function bothHubSelectors(a: HubSelector, b: HubSelector): HubSelector {
  const meet = (x?: readonly string[], y?: readonly string[]) => (x && y ? x.filter((v) => y.includes(v)) : (x ?? y));
  const names = meet(a.names, b.names);
  const regions = meet(a.regions, b.regions);
  const labels = a.labels || b.labels ? { ...a.labels, ...b.labels } : undefined;
  return { ...(names ? { names: [...names] } : {}), ...(regions ? { regions: [...regions] } : {}), ...(labels ? { labels } : {}) };
}
