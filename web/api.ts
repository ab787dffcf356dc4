// The console's one way to the API: same origin, relative to the page
// (`/api/console/` -> `/api/`), the function key (asked for once, kept in
// sessionStorage for the tab's session) in the x-functions-key header, never in
// a URL. In Azure, Easy Auth's session cookie goes along by itself.
import type { DeploymentDevice, DeploymentStatus, DeploymentSummary, DeviceHealthView, HubInfo, Page, RevisionView, RolloutView } from './model/apiTypes';

const KEY_ITEM = 'fleet-console.function-key';
const apiBase = () => new URL('..', window.location.href.split('#')[0]).toString();

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail: string,
  ) {
    super(`${status} ${title}${detail ? `: ${detail}` : ''}`);
  }
}

export const storedKey = (): string | null => sessionStorage.getItem(KEY_ITEM);
export const storeKey = (key: string) => sessionStorage.setItem(KEY_ITEM, key);
export const forgetKey = () => sessionStorage.removeItem(KEY_ITEM);

type KeyListener = () => void;
const keyListeners = new Set<KeyListener>();
/** Called when the API answers 401: the key is missing or wrong, the shell asks for it. */
export const onKeyNeeded = (listener: KeyListener) => {
  keyListeners.add(listener);
  return () => keyListeners.delete(listener);
};

async function request<T>(path: string, init: RequestInit = {}): Promise<T> {
  const headers = new Headers(init.headers);
  const key = storedKey();
  if (key) headers.set('x-functions-key', key);
  headers.set('accept', 'application/json');
  const res = await fetch(new URL(path, apiBase()), { ...init, headers, credentials: 'same-origin', cache: 'no-store' });
  if (res.status === 401) {
    forgetKey();
    keyListeners.forEach((l) => l());
    throw new ApiError(401, 'Unauthorized', 'the function key is missing or wrong');
  }
  if (!res.ok) {
    const problem = (await res.json().catch(() => ({}))) as { title?: string; detail?: string };
    throw new ApiError(res.status, problem.title ?? res.statusText, problem.detail ?? '');
  }
  return (await res.json()) as T;
}

const post = <T>(path: string, body?: unknown) =>
  request<T>(path, { method: 'POST', ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }) });
const enc = encodeURIComponent;

export const api = {
  deployments: () => request<Page<DeploymentSummary>>('deployments?pageSize=100'),
  status: (id: string) => request<DeploymentStatus>(`deployments/${enc(id)}/status`),
  hubs: () => request<{ hubs: HubInfo[] }>('hubs'),
  revisions: (id: string, continuationToken?: string) =>
    request<Page<RevisionView>>(`deployments/${enc(id)}/revisions?pageSize=100${continuationToken ? `&continuationToken=${enc(continuationToken)}` : ''}`),
  devices: (id: string, state: string | null, pageSize: number, continuationToken?: string) =>
    request<Page<DeploymentDevice>>(
      `deployments/${enc(id)}/devices?pageSize=${pageSize}${state ? `&state=${enc(state)}` : ''}${continuationToken ? `&continuationToken=${enc(continuationToken)}` : ''}`,
    ),
  device: (hub: string, deviceId: string) => request<DeviceHealthView>(`hubs/${enc(hub)}/devices/${enc(deviceId)}/health`),
  command: (id: string, command: string) => post<RolloutView>(`deployments/${enc(id)}/rollout:${command}`),
  rollback: (id: string, revision: number) => post<unknown>(`deployments/${enc(id)}/rollback`, { revision }),
};

/** Every revision of a deployment, oldest first (pages of 100 until the end). */
export async function allRevisions(id: string): Promise<RevisionView[]> {
  const out: RevisionView[] = [];
  let token: string | undefined;
  do {
    const page = await api.revisions(id, token);
    out.push(...page.items);
    token = page.continuationToken ?? undefined;
  } while (token);
  return out;
}

/**
 * Easy Auth (App Service sign-in) answers `/.auth/me` on the app's own origin:
 * 'signed-in' or 'signed-out' there; 'absent' where nothing answers (locally).
 */
export async function easyAuthState(): Promise<'signed-in' | 'signed-out' | 'absent'> {
  try {
    const res = await fetch('/.auth/me', { credentials: 'same-origin', headers: { accept: 'application/json' } });
    if (res.status === 401) return 'signed-out';
    if (!res.ok) return 'absent';
    const me = (await res.json().catch(() => null)) as unknown;
    return Array.isArray(me) && me.length > 0 ? 'signed-in' : Array.isArray(me) ? 'signed-out' : 'absent';
  } catch {
    return 'absent';
  }
}

export const signInUrl = () => `/.auth/login/aad?post_login_redirect_uri=${enc(window.location.pathname + window.location.hash)}`;
