// Registry credentials written inside a manifest, as every IoT Edge template
// does (`$edgeAgent.properties.desired.runtime.settings.registryCredentials`).
// They are taken out of the content here: the content and the spec that are
// stored hold names only, the secrets go sealed into the deployment's secret row
// (services/deployments/registrySecrets.ts) and are filled in at sync time.
import { isPlainObject } from './canonicalJson';
import { AGENT_CREDENTIALS, BASE_KEY } from './layered';
import type { ContentPath } from './limits';

/** What a stored or returned manifest shows instead of a password; sent back, it keeps the stored one. */
export const REDACTED_PASSWORD = '<redacted>';

export interface InlineCredential {
  readonly address: string;
  readonly username: string;
  /** undefined: the request sent REDACTED_PASSWORD, meaning "the password already stored". */
  readonly password: string | undefined;
  /** Where the credential was written in the request, for a 400 about it. */
  readonly pointer: string;
}

export interface ExtractedCredentials {
  /** The content without any registry credential. */
  readonly content: Record<string, Record<string, unknown>>;
  readonly credentials: Readonly<Record<string, InlineCredential>>;
  /** Content paths of every password, for redacting the stored manifest. */
  readonly passwordPaths: readonly ContentPath[];
}

const BASE_PATH = ['runtime', 'settings', 'registryCredentials'];

/** Takes every registry credential out of `content` (base form, layered path keys, or both). */
export function extractInlineCredentials(
  content: Readonly<Record<string, Readonly<Record<string, unknown>>>>,
  locate: (path: ContentPath) => string,
): ExtractedCredentials {
  const copy = structuredClone(content) as Record<string, Record<string, unknown>>;
  const agent = copy.$edgeAgent;
  const credentials: Record<string, InlineCredential> = {};
  const passwordPaths: ContentPath[] = [];
  const take = (entries: unknown, path: ContentPath, single?: string) => {
    const list: [string, unknown][] = single === undefined ? Object.entries(isPlainObject(entries) ? entries : {}) : [[single, entries]];
    for (const [name, c] of list) {
      if (!isPlainObject(c)) continue;
      const where = single === undefined ? [...path, name] : path;
      const password = typeof c.password === 'string' ? c.password : '';
      credentials[name] = {
        address: typeof c.address === 'string' ? c.address : '',
        username: typeof c.username === 'string' ? c.username : '',
        password: password === REDACTED_PASSWORD ? undefined : password,
        pointer: locate(where),
      };
      passwordPaths.push([...where, 'password']);
    }
  };
  if (agent) {
    const desired = agent[BASE_KEY];
    const settings = isPlainObject(desired) && isPlainObject(desired.runtime) && isPlainObject(desired.runtime.settings) ? desired.runtime.settings : undefined;
    if (settings && 'registryCredentials' in settings) {
      take(settings.registryCredentials, ['$edgeAgent', BASE_KEY, ...BASE_PATH]);
      delete settings.registryCredentials;
    }
    for (const key of Object.keys(agent)) {
      if (key === AGENT_CREDENTIALS) take(agent[key], ['$edgeAgent', key]);
      else if (key.startsWith(`${AGENT_CREDENTIALS}.`)) take(agent[key], ['$edgeAgent', key], key.slice(AGENT_CREDENTIALS.length + 1));
      else continue;
      delete agent[key];
    }
  }
  return { content: copy, credentials, passwordPaths };
}

/** A copy of `value` with REDACTED_PASSWORD at each path (paths relative to `value`). */
export function redactAt<T>(value: T, paths: readonly (readonly (string | number)[])[]): T {
  const copy = structuredClone(value);
  for (const path of paths) {
    let node: unknown = copy;
    for (const key of path.slice(0, -1)) node = isPlainObject(node) || Array.isArray(node) ? (node as Record<string, unknown>)[key as string] : undefined;
    const last = path[path.length - 1];
    if (last !== undefined && isPlainObject(node) && typeof node[last as string] === 'string') node[last as string] = REDACTED_PASSWORD;
  }
  return copy;
}

/**
 * The content without registry credentials (base or layered form): two
 * configurations equal under it differ only in credentials, i.e. a rotation.
 */
export function withoutRegistryCredentials(content: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const agent = content.$edgeAgent;
  if (!isPlainObject(agent)) return { ...content };
  const stripped: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(agent)) {
    if (key === AGENT_CREDENTIALS || key.startsWith(`${AGENT_CREDENTIALS}.`)) continue;
    if (key === BASE_KEY && isPlainObject(value) && isPlainObject(value.runtime) && isPlainObject(value.runtime.settings)) {
      const { registryCredentials: _dropped, ...settings } = value.runtime.settings;
      stripped[key] = { ...value, runtime: { ...value.runtime, settings } };
    } else stripped[key] = value;
  }
  return { ...content, $edgeAgent: stripped };
}
