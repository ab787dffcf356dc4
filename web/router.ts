// Hash routes, so the function serves one page and a reload keeps the view:
// #/                                  fleet overview
// #/deployments/{id}                  rollout view
// #/deployments/{id}/devices?state=   the deployment's devices
// #/deployments/{id}/revisions        revision history and diff
// #/hubs/{hub}/devices/{device}?deployment=   one device
import { useEffect, useState } from 'preact/hooks';

export type Route =
  | { view: 'overview' }
  | { view: 'rollout'; id: string }
  | { view: 'devices'; id: string; state: string | null }
  | { view: 'revisions'; id: string }
  | { view: 'device'; hub: string; deviceId: string; deployment: string | null };

export function parseRoute(hash: string): Route {
  const [path = '', query = ''] = hash.replace(/^#/, '').split('?');
  const params = new URLSearchParams(query);
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  if (parts[0] === 'deployments' && parts[1]) {
    if (parts[2] === 'devices') return { view: 'devices', id: parts[1], state: params.get('state') };
    if (parts[2] === 'revisions') return { view: 'revisions', id: parts[1] };
    return { view: 'rollout', id: parts[1] };
  }
  if (parts[0] === 'hubs' && parts[1] && parts[2] === 'devices' && parts[3]) return { view: 'device', hub: parts[1], deviceId: parts[3], deployment: params.get('deployment') };
  return { view: 'overview' };
}

const e = encodeURIComponent;
export const href = {
  overview: () => '#/',
  rollout: (id: string) => `#/deployments/${e(id)}`,
  devices: (id: string, state?: string | null) => `#/deployments/${e(id)}/devices${state ? `?state=${e(state)}` : ''}`,
  revisions: (id: string) => `#/deployments/${e(id)}/revisions`,
  device: (hub: string, deviceId: string, deployment?: string) => `#/hubs/${e(hub)}/devices/${e(deviceId)}${deployment ? `?deployment=${e(deployment)}` : ''}`,
};

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(window.location.hash));
  useEffect(() => {
    const onHash = () => setRoute(parseRoute(window.location.hash));
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);
  return route;
}
