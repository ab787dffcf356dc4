// Every app setting the application reads, declared once. `loadSettings`
// validates them all on start and names each bad one with what it should look like.
import { z } from 'zod';
import {
  type EventHubsConnection,
  readEventHubsConnection,
  readStorageConnection,
  type StorageConnection,
} from './connections';
import { bool, jsonSetting, optionalString, positiveInt, requiredString, setting, type SettingDefinition } from './settingTypes';

const labelMap = z.record(z.string().min(1).max(128), z.string().max(128));

export const hubSettingSchema = z.object({
  name: z.string().regex(/^[a-z0-9][a-z0-9-]{1,48}[a-z0-9]$/, 'must be 3-50 lowercase letters, digits or dashes'),
  region: z.string().min(1),
  labels: labelMap.default({}),
  /** A service connection string (locally), or the hub's host name for managed identity (Azure). */
  connection: z.string().min(1),
  /** IoT Hub units: configuration operations are throttled per unit. */
  units: z.number().int().positive().default(1),
  /** Present only for the local IoT Hub simulator: where it really listens and which CA signed it. */
  local: z.object({ endpoint: z.url(), caFile: z.string().min(1) }).optional(),
});
export type HubSetting = z.infer<typeof hubSettingSchema>;

export const registryCredentialSchema = z.object({
  address: z.string().min(1),
  username: z.string().min(1),
  password: z.string().min(1),
});
export type RegistryCredential = z.infer<typeof registryCredentialSchema>;

const hubsSchema = z.array(hubSettingSchema).superRefine((hubs, ctx) => {
  const seen = new Set<string>();
  hubs.forEach((hub, i) => {
    if (seen.has(hub.name)) ctx.addIssue({ code: 'custom', path: [i, 'name'], message: `hub name '${hub.name}' is used twice` });
    seen.add(hub.name);
  });
});

/** Flat, string-valued settings. Connections (FleetStorage, HealthEventHub) are read separately below. */
export const settingDefinitions = {
  HUBS: setting(jsonSetting(hubsSchema), {
    description: 'JSON list of regional IoT Hubs: {name, region, labels, connection, units?}',
    example: '[{"name":"weu","region":"westeurope","labels":{"geo":"eu"},"connection":"weu-hub.azure-devices.net"}]',
    secret: true,
  }),
  HEALTH_EVENTHUB_NAME: setting(requiredString, {
    description: 'Event hub that IoT Hub routes twin-change and connection-state events into',
    example: 'device-health',
  }),
  HEALTH_EVENTHUB_CONSUMER_GROUP: setting(requiredString, {
    description: 'Consumer group the health-ingest function reads',
    example: 'control-plane',
  }),
  // Required although it has a usual value: the Functions host itself resolves
  // `%RECONCILE_SCHEDULE%` in the timer binding and fails when it is not set.
  RECONCILE_SCHEDULE: setting(requiredString, {
    description: 'Six-field NCRONTAB schedule (UTC) of the reconciler',
    example: '0 */1 * * * *',
  }),
  RECONCILE_BUDGET_SECONDS: setting(positiveInt(45), {
    description: 'Time budget of one reconcile pass; the rest continues in the next pass',
    example: '45',
    required: false,
  }),
  DEVICE_OFFLINE_AFTER_SECONDS: setting(positiveInt(600), {
    description: 'A device with no event for longer than this counts as offline, not failed',
    example: '600',
    required: false,
  }),
  HEALTH_INGEST_PARALLELISM: setting(positiveInt(8), {
    description: 'Table partitions the health-ingest function writes at once per batch',
    example: '8',
    required: false,
  }),
  HEALTH_CACHE_DEVICES: setting(positiveInt(50000), {
    description: 'Device health records one instance keeps in memory so it need not read before it writes',
    example: '50000',
    required: false,
  }),
  IOTHUB_CONFIG_OPS_PER_MINUTE_PER_UNIT: setting(positiveInt(20), {
    description: 'Configuration create/update/delete operations allowed per minute per IoT Hub unit',
    example: '20',
    required: false,
  }),
  IOTHUB_MAX_CONFIGURATIONS: setting(positiveInt(100), {
    description: 'Configurations a hub can hold (100 on standard tiers, 10 on free)',
    example: '100',
    required: false,
  }),
  IOTHUB_REQUEST_TIMEOUT_MS: setting(positiveInt(15000), {
    description: 'Timeout of one IoT Hub service request',
    example: '15000',
    required: false,
  }),
  MAX_REQUEST_BODY_BYTES: setting(positiveInt(1024 * 1024), {
    description: 'Largest accepted HTTP request body; larger ones get 413',
    example: '1048576',
    required: false,
  }),
  MAX_WEBHOOK_BODY_BYTES: setting(positiveInt(256 * 1024), {
    description: 'Largest accepted registry webhook body; larger ones get 413 before they are read or authenticated',
    example: '262144',
    required: false,
  }),
  REGISTRY_CREDENTIALS: setting(jsonSetting(z.record(z.string().min(1), registryCredentialSchema), '{}'), {
    description: 'JSON map of registry credential name -> {address, username, password}, referenced by imagePullSecrets',
    example: '{"acr-prod":{"address":"myacr.azurecr.io","username":"myacr","password":"@Microsoft.KeyVault(...)"}}',
    secret: true,
    required: false,
  }),
  REGISTRY_SECRETS_KEY: setting(optionalString, {
    description: 'AES-256 key (32 bytes, base64) sealing inline registry credentials of manifests in Table storage; without it such manifests are refused',
    example: '@Microsoft.KeyVault(SecretUri=https://myvault.vault.azure.net/secrets/registry-secrets-key/)',
    secret: true,
    required: false,
  }),
  WEBHOOK_ACR_TOKEN: setting(optionalString, { description: 'Secret ACR sends in its custom header', example: '<random>', secret: true, required: false }),
  WEBHOOK_DOCKERHUB_TOKEN: setting(optionalString, { description: 'Token in the Docker Hub webhook URL (?token=)', example: '<random>', secret: true, required: false }),
  WEBHOOK_GHCR_SECRET: setting(optionalString, { description: 'GitHub webhook secret (X-Hub-Signature-256)', example: '<random>', secret: true, required: false }),
  WEBHOOK_HARBOR_SECRET: setting(optionalString, { description: 'Harbor webhook auth header value', example: '<random>', secret: true, required: false }),
  WEBHOOK_CLOUDEVENTS_TOKEN: setting(optionalString, { description: 'Bearer token Event Grid sends to the CloudEvents endpoint', example: '<random>', secret: true, required: false }),
  WEBHOOK_GENERIC_SECRET: setting(optionalString, { description: 'HMAC-SHA256 key of the generic webhook', example: '<random>', secret: true, required: false }),
  LOCAL_DEV: setting(bool(false), {
    description: 'Set only by the local stack: allows plain-HTTP storage and the local IoT Hub simulator',
    example: 'true',
    required: false,
  }),
} satisfies Record<string, SettingDefinition<unknown>>;

/** Connection settings, in the Functions convention (connection string, or `__` identity settings). */
export const connectionDefinitions = {
  FleetStorage: {
    kind: 'storage',
    description: 'Storage account holding desired state and device health (tables) and rollout leases (blobs)',
    example: 'FleetStorage__accountName=mystorage (Azure) or a connection string (local)',
  },
  HealthEventHub: {
    kind: 'eventHubs',
    description: 'Event Hubs namespace the health events arrive in',
    example: 'HealthEventHub__fullyQualifiedNamespace=myns.servicebus.windows.net (Azure) or a connection string (local)',
  },
} as const;

type Flat = typeof settingDefinitions;
export type FlatSettings = { [K in keyof Flat]: Flat[K] extends SettingDefinition<infer T> ? T : never };

export interface Settings extends FlatSettings {
  readonly storage: StorageConnection;
  readonly healthEventHub: EventHubsConnection;
}

export interface SettingProblem {
  readonly name: string;
  readonly problem: string;
  readonly expected: string;
}

export class SettingsError extends Error {
  constructor(readonly problems: readonly SettingProblem[]) {
    super(
      `The app cannot start: ${problems.length} setting(s) are missing or malformed.\n` +
        problems.map((p) => `  - ${p.name}: ${p.problem}. Expected: ${p.expected}`).join('\n'),
    );
    this.name = 'SettingsError';
  }
}

export function loadSettings(env: Readonly<Record<string, string | undefined>>): Settings {
  const problems: SettingProblem[] = [];
  const flat: Record<string, unknown> = {};
  for (const [name, def] of Object.entries(settingDefinitions) as [string, SettingDefinition<unknown>][]) {
    const parsed = def.schema.safeParse(env[name]);
    if (parsed.success) {
      flat[name] = parsed.data;
      continue;
    }
    // Secret settings never have their value echoed; field paths and messages are safe.
    const detail = parsed.error.issues
      .map((i) => (i.path.length ? `${i.path.join('.')} ${i.message}` : i.message))
      .join('; ');
    problems.push({ name, problem: detail, expected: `${def.description}, e.g. ${def.example}` });
  }
  const storage = readStorageConnection(env, 'FleetStorage');
  const healthEventHub = readEventHubsConnection(env, 'HealthEventHub');
  for (const [name, result] of [['FleetStorage', storage], ['HealthEventHub', healthEventHub]] as const) {
    if (typeof result === 'string') {
      const def = connectionDefinitions[name];
      problems.push({ name, problem: result, expected: `${def.description}; ${def.example}` });
    }
  }
  if (problems.length || typeof storage === 'string' || typeof healthEventHub === 'string') {
    throw new SettingsError(problems);
  }
  return { ...(flat as FlatSettings), storage, healthEventHub };
}

/** Names of settings the app cannot start without (for infra checks and docs). */
export function requiredSettingNames(): string[] {
  return Object.entries(settingDefinitions)
    .filter(([, def]) => def.required)
    .map(([name]) => name);
}
