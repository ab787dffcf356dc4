// The canonical IoT Hub configuration content (`content.modulesContent`) that
// all three manifest forms are turned into. Defaults are filled in and every
// object is key-sorted, so equivalent inputs give byte-identical content.
import { canonicalize } from './canonicalJson';
import { canonicalCreateOptions, chunkCreateOptions } from './createOptions';
import { layeredModules } from './layered';
import type { Route } from './moduleFields';

export const DEFAULT_SCHEMA_VERSION = '1.1';
export const DEFAULT_EDGE_AGENT_IMAGE = 'mcr.microsoft.com/azureiotedge-agent:1.5';
export const DEFAULT_EDGE_HUB_IMAGE = 'mcr.microsoft.com/azureiotedge-hub:1.5';
/** edgeHub serves AMQPS, MQTTS and HTTPS/WebSockets to leaf devices and modules. */
export const DEFAULT_EDGE_HUB_CREATE_OPTIONS = {
  HostConfig: { PortBindings: { '443/tcp': [{ HostPort: '443' }], '5671/tcp': [{ HostPort: '5671' }], '8883/tcp': [{ HostPort: '8883' }] } },
};
export const DEFAULT_ROUTES: Record<string, Route> = { upstream: 'FROM /messages/* INTO $upstream' };
export const DEFAULT_STORE_AND_FORWARD_TTL_SECS = 7200;
export const DEFAULT_MIN_DOCKER_VERSION = 'v1.25';

export type EnvValue = string | number | boolean;
export type Status = 'running' | 'stopped';
export type RestartPolicy = 'never' | 'on-failure' | 'on-unhealthy' | 'always';
export type ImagePullPolicy = 'on-create' | 'never';

/** One module as any manifest form describes it, before defaults and chunking. */
export interface ModuleInput {
  readonly image: string;
  readonly version?: string | undefined;
  readonly status?: Status | undefined;
  readonly restartPolicy?: RestartPolicy | undefined;
  readonly startupOrder?: number | undefined;
  readonly imagePullPolicy?: ImagePullPolicy | undefined;
  readonly env?: Readonly<Record<string, EnvValue>> | undefined;
  /** JSON text or object; canonicalised (sorted keys) before chunking. */
  readonly createOptions?: string | Record<string, unknown> | undefined;
}

export interface ManifestParts {
  readonly schemaVersion: string;
  readonly edgeHubSchemaVersion?: string | undefined;
  readonly minDockerVersion?: string | undefined;
  readonly loggingOptions?: string | undefined;
  readonly edgeAgent: Pick<ModuleInput, 'image' | 'env' | 'createOptions'>;
  readonly edgeHub: Omit<ModuleInput, 'version' | 'imagePullPolicy'>;
  readonly modules: Readonly<Record<string, ModuleInput>>;
  readonly routes: Readonly<Record<string, Route>>;
  readonly storeAndForwardTimeToLiveSecs?: number | undefined;
  /** Desired properties of user module twins, by module name. */
  readonly twins?: Readonly<Record<string, Readonly<Record<string, unknown>>>> | undefined;
}

export type DesiredProperties = Record<string, unknown>;
export type ModulesContent = Record<string, { 'properties.desired': DesiredProperties }>;

const envBlock = (env: Readonly<Record<string, EnvValue>> | undefined) =>
  env && Object.keys(env).length ? Object.fromEntries(Object.entries(env).map(([k, value]) => [k, { value }])) : undefined;

const settingsBlock = (m: Pick<ModuleInput, 'image' | 'createOptions'>) => ({
  image: m.image,
  ...chunkCreateOptions(canonicalCreateOptions(m.createOptions)),
});

function edgeModule(m: ModuleInput): DesiredProperties {
  return {
    version: m.version ?? '1.0',
    type: 'docker',
    status: m.status ?? 'running',
    restartPolicy: m.restartPolicy ?? 'always',
    startupOrder: m.startupOrder,
    imagePullPolicy: m.imagePullPolicy,
    env: envBlock(m.env),
    settings: settingsBlock(m),
  };
}

export function buildModulesContent(parts: ManifestParts): ModulesContent {
  const content: ModulesContent = {
    $edgeAgent: {
      'properties.desired': {
        schemaVersion: parts.schemaVersion,
        runtime: {
          type: 'docker',
          settings: { minDockerVersion: parts.minDockerVersion ?? DEFAULT_MIN_DOCKER_VERSION, loggingOptions: parts.loggingOptions ?? '' },
        },
        systemModules: {
          edgeAgent: { type: 'docker', env: envBlock(parts.edgeAgent.env), settings: settingsBlock(parts.edgeAgent) },
          edgeHub: {
            type: 'docker',
            status: parts.edgeHub.status ?? 'running',
            restartPolicy: parts.edgeHub.restartPolicy ?? 'always',
            startupOrder: parts.edgeHub.startupOrder,
            env: envBlock(parts.edgeHub.env),
            settings: settingsBlock(parts.edgeHub),
          },
        },
        modules: Object.fromEntries(Object.entries(parts.modules).map(([name, m]) => [name, edgeModule(m)])),
      },
    },
    $edgeHub: {
      'properties.desired': {
        schemaVersion: parts.edgeHubSchemaVersion ?? parts.schemaVersion,
        routes: parts.routes,
        storeAndForwardConfiguration: { timeToLiveSecs: parts.storeAndForwardTimeToLiveSecs ?? DEFAULT_STORE_AND_FORWARD_TTL_SECS },
      },
    },
  };
  for (const [name, desired] of Object.entries(parts.twins ?? {})) content[name] = { 'properties.desired': { ...desired } };
  return canonicalize(content);
}

/** User modules of a canonical content (base or layered), by name. */
export function contentModules(content: ModulesContent): Record<string, DesiredProperties> {
  const base = (content.$edgeAgent?.['properties.desired']?.modules ?? {}) as Record<string, DesiredProperties>;
  return { ...base, ...layeredModules(content) };
}
