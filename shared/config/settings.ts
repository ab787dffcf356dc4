// Every app setting the application reads, declared once. `loadSettings`
// validates them all on start and names each bad one with what it should look like.
import { z } from 'zod';
import {
  type EventHubsConnection,
  readEventHubsConnection,
  readStorageConnection,
  type StorageConnection,
} from './connections';
import { bool, jsonSetting, nonNegativeInt, optionalString, positiveInt, requiredString, setting, type SettingDefinition, unusableValueReason } from './settingTypes';

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
  STATUS_SUMMARY_MAX_AGE_SECONDS: setting(nonNegativeInt(180), {
    description: 'GET .../status answers from the status summary the reconciler writes each pass while it is at most this old (3 passes at the default schedule), else reads every hub live; 0 always reads live',
    example: '180',
    required: false,
  }),
  DEVICE_OFFLINE_AFTER_SECONDS: setting(positiveInt(600), {
    description: 'A device with no event for longer than this counts as offline, not failed',
    example: '600',
    required: false,
  }),
  DEVICE_LIVENESS_WRITE_SECONDS: setting(positiveInt(300), {
    description:
      'A heartbeat that changes nothing but lastSeenAt is written only once lastSeenAt moved this far (state changes are written at once); a silent device is offline after DEVICE_OFFLINE_AFTER_SECONDS plus this, never before DEVICE_OFFLINE_AFTER_SECONDS',
    example: '300',
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
  // The Kubernetes API surface (docs/kubernetes-api.md) checks bearer tokens itself: a shared key, Entra ID tokens, or both.
  KUBERNETES_API_KEY: setting(optionalString, { description: 'Bearer token kubectl may send to /api/k8s (the local stack sets the function key); unset in Azure, where Entra ID tokens are used', example: '<random>', secret: true, required: false }),
  KUBERNETES_ENTRA_TENANT_ID: setting(optionalString, { description: 'Entra ID tenant whose access tokens /api/k8s accepts (issuer https://login.microsoftonline.com/<tenant>/v2.0)', example: '00000000-0000-0000-0000-000000000000', required: false }),
  KUBERNETES_ENTRA_AUDIENCE: setting(optionalString, { description: "Audience (the app registration's client id or Application ID URI) the Entra ID tokens must carry", example: 'api://edge-fleet-k8s', required: false }),
  PAGE_TOKEN_KEY: setting(optionalString, {
    description: 'HMAC key that signs list continuation tokens; the same on every instance (without it tokens hold on one instance only)',
    example: '<random>',
    secret: true,
    required: false,
  }),
  // Safety guards of the control path (docs/desired-state-and-convergence.md, "Guards").
  INSTALLATION_ID: setting(optionalString.pipe(z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/, 'must be 1-63 letters, digits, dots, dashes or underscores').optional()), {
    description: 'Names this installation on the hubs (label fleetInstallation); garbage collection deletes only configurations carrying it. Default: the FleetStorage account name',
    example: 'fleet-prod-weu',
    required: false,
  }),
  GC_MAX_DELETE_PERCENT: setting(positiveInt(50), {
    description: "Garbage collection stops on a hub (fenced) when one pass would delete more than this share of the hub's configurations of this installation",
    example: '50',
    required: false,
  }),
  HTTP_DEADLINE_MS: setting(positiveInt(5000), {
    description: 'How long an HTTP or webhook request waits for hubs; what has not converged by then is answered 202 and finished by the reconciler',
    example: '5000',
    required: false,
  }),
  STORAGE_TRY_TIMEOUT_MS: setting(positiveInt(5000), {
    description: 'Timeout of one try of a Table or Blob storage request (a hung socket is abandoned and retried)',
    example: '5000',
    required: false,
  }),
  STORAGE_MAX_RETRIES: setting(positiveInt(3), {
    description: 'Retries of a failed or timed-out storage request, with exponential backoff',
    example: '3',
    required: false,
  }),
  IDEMPOTENCY_TTL_HOURS: setting(positiveInt(24), {
    description: 'How long an Idempotency-Key is remembered; the reconciler deletes older records',
    example: '24',
    required: false,
  }),
  DEAD_LETTER_TTL_DAYS: setting(positiveInt(14), {
    description: 'How long dead-lettered health events are kept; the reconciler deletes older rows',
    example: '14',
    required: false,
  }),
  LOCAL_DEV: setting(bool(false), {
    description: 'Set only by the local stack: the one switch that allows insecure transports (plain-HTTP storage, plain-AMQP Event Hubs, trusting the IoT Hub simulator\'s CA)',
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

/** A setting whose value is set but unusable (unresolved Key Vault reference, blank, placeholder): what it configures is off. */
export interface UnusableSetting {
  readonly name: string;
  readonly reason: string;
}

export interface Settings extends FlatSettings {
  readonly storage: StorageConnection;
  readonly healthEventHub: EventHubsConnection;
  /** Optional settings turned off at start-up because their value is unusable; the readiness check fails while any is listed. */
  readonly unusable: readonly UnusableSetting[];
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
  const unusable: UnusableSetting[] = [];
  const flat: Record<string, unknown> = {};
  for (const [name, def] of Object.entries(settingDefinitions) as [string, SettingDefinition<unknown>][]) {
    const raw = env[name];
    const unusableReason = raw === undefined ? undefined : unusableValueReason(raw);
    if (unusableReason && !def.required) {
      // Half-configured: the feature is off, loudly (log line and readiness), never run with this value.
      unusable.push({ name, reason: unusableReason });
      flat[name] = def.schema.safeParse(undefined).data;
      continue;
    }
    const parsed = def.schema.safeParse(raw);
    if (parsed.success) {
      flat[name] = parsed.data;
      continue;
    }
    // Secret settings never have their value echoed; field paths and messages are safe.
    const detail = unusableReason ?? parsed.error.issues.map((i) => (i.path.length ? `${i.path.join('.')} ${i.message}` : i.message)).join('; ');
    problems.push({ name, problem: detail, expected: `${def.description}, e.g. ${def.example}` });
  }
  if (flat.REGISTRY_CREDENTIALS) flat.REGISTRY_CREDENTIALS = usableCredentials(flat.REGISTRY_CREDENTIALS as Record<string, RegistryCredential>, unusable);
  const storage = readStorageConnection(env, 'FleetStorage');
  const healthEventHub = readEventHubsConnection(env, 'HealthEventHub');
  for (const [name, result] of [['FleetStorage', storage], ['HealthEventHub', healthEventHub]] as const) {
    if (typeof result === 'string') {
      const def = connectionDefinitions[name];
      problems.push({ name, problem: result, expected: `${def.description}; ${def.example}` });
    }
  }
  if (flat.LOCAL_DEV !== true) problems.push(...insecureTransports(storage, healthEventHub, (flat.HUBS as HubSetting[] | undefined) ?? []));
  if (problems.length || typeof storage === 'string' || typeof healthEventHub === 'string') {
    throw new SettingsError(problems);
  }
  return { ...(flat as FlatSettings), storage, healthEventHub, unusable };
}

/** A registry credential whose password is unusable is left out (a deployment naming it gets a 400), and reported. */
function usableCredentials(credentials: Record<string, RegistryCredential>, unusable: UnusableSetting[]): Record<string, RegistryCredential> {
  return Object.fromEntries(
    Object.entries(credentials).filter(([name, credential]) => {
      const reason = unusableValueReason(credential.password);
      if (reason) unusable.push({ name: `REGISTRY_CREDENTIALS.${name}.password`, reason: `${reason}; App Service resolves Key Vault references only as a whole setting value, never inside JSON` });
      return !reason;
    }),
  );
}

/** Insecure transports are the local stack's alone: outside LOCAL_DEV each is a start-up error naming its setting. */
function insecureTransports(storage: StorageConnection | string, eventHub: EventHubsConnection | string, hubs: readonly HubSetting[]): SettingProblem[] {
  const problems: SettingProblem[] = [];
  const onlyLocal = 'allowed only with LOCAL_DEV=true (the local stack); in Azure use https endpoints or managed identity';
  if (typeof storage !== 'string' && storage.kind === 'connectionString' && /DefaultEndpointsProtocol=http(;|$)|Endpoint=http:|UseDevelopmentStorage=true/i.test(storage.connectionString)) {
    problems.push({ name: 'FleetStorage', problem: 'uses plain HTTP', expected: onlyLocal });
  }
  if (typeof eventHub !== 'string' && eventHub.kind === 'connectionString' && /UseDevelopmentEmulator=true/i.test(eventHub.connectionString)) {
    problems.push({ name: 'HealthEventHub', problem: 'uses the development emulator transport (plain AMQP)', expected: onlyLocal });
  }
  hubs.forEach((hub, i) => {
    if (hub.local) problems.push({ name: 'HUBS', problem: `${i}.local trusts the IoT Hub simulator's CA and endpoint`, expected: onlyLocal });
  });
  return problems;
}

/** The start-up log line for every setting turned off because its value is unusable. */
export function reportUnusableSettings(settings: Pick<Settings, 'unusable'>, warn: (line: string) => void): void {
  for (const u of settings.unusable) {
    warn(JSON.stringify({ event: 'settings.disabled', setting: u.name, reason: u.reason, effect: 'what this setting configures is disabled until the value is fixed' }));
  }
}

/** Names of settings the app cannot start without (for infra checks and docs). */
export function requiredSettingNames(): string[] {
  return Object.entries(settingDefinitions)
    .filter(([, def]) => def.required)
    .map(([name]) => name);
}
