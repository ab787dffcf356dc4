// What IoT Hub message routing delivers to the health Event Hub, parsed into
// typed events (shapes: Microsoft Learn, "Azure IoT Hub non-telemetry event
// schemas"; fixtures and their sources in test/fixtures/health/). Who an event
// is about comes from the system properties IoT Hub sets
// (`iothub-connection-device-id`, `-module-id`, `user-id`), never from a body a
// device wrote; a body that disagrees is refused. Times are bounded by the
// hub's enqueued time, so no device clock can move a record into the future.
// @azure/functions lower-cases the first letter of property keys, so keys are
// read case-insensitively. Anything else is reported with a reason.
import { z } from 'zod';
import type { HubDirectory } from './hubDirectory';

/** One event as the Event Hub trigger hands it over (body plus the per-event metadata arrays). */
export interface EventInput {
  readonly body: unknown;
  readonly properties: Readonly<Record<string, unknown>>;
  readonly systemProperties: Readonly<Record<string, unknown>>;
  readonly enqueuedTimeUtc: string;
}

/** A patch of one module's fields: absent keeps, null removes (twin patch semantics). */
export type FieldPatch = Readonly<Record<string, string | number | null>>;
/** Per module: a patch of its fields, or null (the module was removed). */
export type ModulesPatch = Readonly<Record<string, FieldPatch | null>>;

/** The reported fields kept per module (edgeAgent's reported properties, IoT Edge docs). */
export const REPORTED_FIELDS = ['runtimeStatus', 'exitCode', 'restartCount', 'lastStartTimeUtc', 'image'] as const;
/** The desired fields kept per module: what is compared with the report, and `configuration` (the deployment's id IoT Hub stamps on it). */
export const DESIRED_FIELDS = ['image', 'status', 'configuration'] as const;
export const SYSTEM_MODULES = ['edgeAgent', 'edgeHub'] as const;

interface TwinEventBase {
  readonly hub: string;
  readonly deviceId: string;
  readonly twinVersion: number;
  readonly at: string;
  /** replaceTwin: the body is the whole twin, so what it lacks is gone. */
  readonly replace: boolean;
}

export type HealthEvent =
  | { readonly kind: 'connection'; readonly hub: string; readonly deviceId: string; readonly moduleId?: string; readonly connected: boolean; readonly sequenceNumber: string; readonly at: string }
  | { readonly kind: 'lifecycle'; readonly hub: string; readonly deviceId: string; readonly created: boolean; readonly at: string }
  | (TwinEventBase & {
      readonly kind: 'agentReported';
      readonly lastDesiredVersion?: number | null;
      readonly desiredStatusCode?: number | null;
      readonly modules: ModulesPatch;
      readonly systemModules: ModulesPatch;
    })
  | (TwinEventBase & { readonly kind: 'agentDesired'; readonly desiredVersion?: number | null; readonly modules: ModulesPatch; readonly systemModules: ModulesPatch })
  | { readonly kind: 'heartbeat'; readonly hub: string; readonly deviceId: string; readonly at: string; readonly sentAt: string; readonly modules: Readonly<Record<string, string>> };

/** Why an event was not used: `ignored` (not a health event), `rejected` (spoofed, unknown hub: counted) or `malformed` (dead-lettered). */
export type Refusal = 'ignored' | 'rejected' | 'malformed';
export type ParsedEvent = { readonly ok: true; readonly events: readonly HealthEvent[] } | { readonly ok: false; readonly refusal: Refusal; readonly reason: string };

const lowerFirst = (o: Readonly<Record<string, unknown>>) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k.charAt(0).toLowerCase() + k.slice(1), v]));
const text = (v: unknown) => (typeof v === 'string' && v.length > 0 ? v : undefined);

const scalar = z.union([z.string(), z.number()]).nullable().optional();
const moduleReport = z.object({ runtimeStatus: scalar, exitCode: scalar, restartCount: scalar, lastStartTimeUtc: scalar, settings: z.object({ image: scalar }).loose().nullable().optional() }).loose();
const moduleDesired = z.object({ status: scalar, settings: z.object({ image: scalar }).loose().nullable().optional(), configuration: z.object({ id: scalar }).loose().nullable().optional() }).loose();
const modulesOf = <T extends z.ZodType>(module: T) => z.record(z.string(), module.nullable()).nullable().optional();

const twinBody = z.object({
  version: z.number().int(),
  properties: z
    .object({
      reported: z
        .object({
          lastDesiredVersion: z.number().int().nullable().optional(),
          lastDesiredStatus: z.object({ code: z.number().int().nullable().optional() }).loose().nullable().optional(),
          modules: modulesOf(moduleReport),
          systemModules: modulesOf(moduleReport),
        })
        .loose()
        .optional(),
      desired: z.object({ $version: z.number().int().optional(), modules: modulesOf(moduleDesired), systemModules: modulesOf(moduleDesired) }).loose().optional(),
    })
    .optional(),
});

const connectionBody = z.object({ sequenceNumber: z.string().regex(/^[0-9A-Fa-f]+$/, 'is not a sequence number') });

/** What our edge devices send as heartbeat telemetry; identity fields, when present, must match the system properties. */
export const heartbeatSchema = z.object({
  type: z.literal('heartbeat'),
  deviceId: z.string().min(1).optional(),
  hubName: z.string().min(1).optional(),
  sentAtUtc: z.iso.datetime({ offset: true }),
  modules: z.record(z.string(), z.string()).default({}),
});

const problem = (error: z.ZodError) => error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ');

/** Table storage DateTime range is 1601..9999; anything a device claims is also kept at or before the hub's own clock. */
const EARLIEST = Date.parse('1601-01-02T00:00:00Z');

function time(value: unknown): number | undefined {
  const ms = typeof value === 'number' ? value : typeof value === 'string' ? Date.parse(/[zZ]|[+-]\d\d:?\d\d$/.test(value) ? value : `${value}Z`) : NaN;
  return Number.isFinite(ms) && ms >= EARLIEST && ms < Date.parse('9999-12-31T00:00:00Z') ? ms : undefined;
}

/** The hub's clock for this event: `iothub-enqueuedtime` (set by IoT Hub), else the Event Hub's enqueued time. */
function enqueuedAt(input: EventInput): number {
  const eventHub = time(input.enqueuedTimeUtc);
  const iotHub = time(input.systemProperties['iothub-enqueuedtime']);
  return Math.min(iotHub ?? eventHub ?? EARLIEST, eventHub ?? Number.MAX_SAFE_INTEGER);
}

const bounded = (claimed: number | undefined, enqueued: number) => new Date(Math.min(claimed ?? enqueued, enqueued)).toISOString();

function fields(source: Record<string, unknown>, names: readonly string[]): FieldPatch {
  const out: Record<string, string | number | null> = {};
  for (const name of names) {
    const v = source[name];
    if (v === null || typeof v === 'string' || typeof v === 'number') out[name] = v;
  }
  return out;
}

function reportedModules(modules: Record<string, z.infer<typeof moduleReport> | null> | null | undefined): ModulesPatch {
  const out: Record<string, FieldPatch | null> = {};
  for (const [name, m] of Object.entries(modules ?? {})) {
    if (!m) {
      out[name] = null;
      continue;
    }
    const image = m.settings === null ? null : m.settings?.image;
    out[name] = { ...fields(m, REPORTED_FIELDS), ...(image !== undefined ? { image } : {}) };
  }
  return out;
}

/**
 * Desired modules: image and status (compared with what the agent reports), and `configuration.id`, which
 * IoT Hub sets on each module when it applies a deployment (IoT Edge docs: "The ID of the deployment that
 * deployed this module"). That id is how a routed event says which deployment a device runs.
 */
function desiredModules(modules: Record<string, z.infer<typeof moduleDesired> | null> | null | undefined): ModulesPatch {
  const out: Record<string, FieldPatch | null> = {};
  for (const [name, m] of Object.entries(modules ?? {})) {
    if (!m) {
      out[name] = null;
      continue;
    }
    const image = m.settings === null ? null : m.settings?.image;
    const configuration = m.configuration === null ? null : m.configuration?.id;
    out[name] = { ...fields(m, ['status']), ...(image !== undefined ? { image } : {}), ...(configuration !== undefined ? { configuration } : {}) };
  }
  return out;
}

export interface ParseContext {
  readonly hubs: HubDirectory;
}

export function parseHealthEvent(input: EventInput, context: ParseContext): ParsedEvent {
  const props = lowerFirst(input.properties);
  const system = input.systemProperties;
  const source = text(system['iothub-message-source']) ?? '';
  const deviceId = text(system['iothub-connection-device-id']);
  const moduleId = text(system['iothub-connection-module-id']);
  const enqueued = enqueuedAt(input);

  // Telemetry: only the system properties are IoT Hub's; the hub name comes from the route's enrichment.
  if (source === 'Telemetry' || props.type === 'heartbeat') {
    if (props.type !== 'heartbeat') return { ok: false, refusal: 'ignored', reason: 'telemetry that is not a heartbeat' };
    if (!deviceId) return { ok: false, refusal: 'rejected', reason: 'heartbeat without iothub-connection-device-id' };
    const hubName = text(props.hubName) ?? text(system['user-id']);
    const hub = hubName && context.hubs.resolve(hubName);
    if (!hub) return { ok: false, refusal: 'rejected', reason: `heartbeat from hub '${hubName ?? '(none)'}' that is not configured` };
    const hb = heartbeatSchema.safeParse(input.body);
    if (!hb.success) return { ok: false, refusal: 'malformed', reason: `malformed heartbeat: ${problem(hb.error)}` };
    if (hb.data.deviceId !== undefined && hb.data.deviceId !== deviceId) return { ok: false, refusal: 'rejected', reason: `heartbeat body names device '${hb.data.deviceId}' but was sent by '${deviceId}'` };
    if (hb.data.hubName !== undefined && context.hubs.resolve(hb.data.hubName) !== hub) return { ok: false, refusal: 'rejected', reason: `heartbeat body names hub '${hb.data.hubName}' but came through '${hubName}'` };
    const at = new Date(enqueued).toISOString();
    return { ok: true, events: [{ kind: 'heartbeat', hub, deviceId, at, sentAt: bounded(time(hb.data.sentAtUtc), enqueued), modules: hb.data.modules }] };
  }

  if (!['deviceConnectionStateEvents', 'deviceLifecycleEvents', 'twinChangeEvents'].includes(source)) return { ok: false, refusal: 'ignored', reason: `message source '${source || '(none)'}' is not a health event` };
  if (!deviceId) return { ok: false, refusal: 'rejected', reason: `${source} without iothub-connection-device-id` };
  const hubName = text(system['user-id']) ?? text(props.hubName);
  const hub = hubName && context.hubs.resolve(hubName);
  if (!hub) return { ok: false, refusal: 'rejected', reason: `event from hub '${hubName ?? '(none)'}' that is not configured` };
  // Application properties repeat the identity; on non-telemetry events IoT Hub sets both, so a difference is a forgery.
  if (text(props.deviceId) !== undefined && props.deviceId !== deviceId) return { ok: false, refusal: 'rejected', reason: `deviceId '${String(props.deviceId)}' disagrees with iothub-connection-device-id '${deviceId}'` };
  const opType = text(props.opType) ?? '';
  const at = bounded(time(props.operationTimestamp), enqueued);
  // Connection events carry the module in application properties only (documented: moduleId present when a module connected).
  const eventModule = moduleId ?? text(props.moduleId);

  if (source === 'deviceConnectionStateEvents') {
    if (opType !== 'deviceConnected' && opType !== 'deviceDisconnected') return { ok: false, refusal: 'malformed', reason: `unknown opType '${opType}'` };
    const body = connectionBody.safeParse(input.body);
    if (!body.success) return { ok: false, refusal: 'malformed', reason: `malformed connection event: ${problem(body.error)}` };
    const connected = opType === 'deviceConnected';
    return { ok: true, events: [{ kind: 'connection', hub, deviceId, ...(eventModule ? { moduleId: eventModule } : {}), connected, sequenceNumber: body.data.sequenceNumber.toUpperCase(), at }] };
  }

  if (source === 'deviceLifecycleEvents') {
    if (eventModule) return { ok: false, refusal: 'ignored', reason: 'module lifecycle event' };
    if (opType !== 'createDeviceIdentity' && opType !== 'deleteDeviceIdentity') return { ok: false, refusal: 'malformed', reason: `unknown opType '${opType}'` };
    return { ok: true, events: [{ kind: 'lifecycle', hub, deviceId, created: opType === 'createDeviceIdentity', at }] };
  }

  // Twin changes: an IoT Edge deployment's state lives on the $edgeAgent module twin.
  if (eventModule !== '$edgeAgent') return { ok: false, refusal: 'ignored', reason: 'twin change of something other than $edgeAgent' };
  if (opType !== 'updateTwin' && opType !== 'replaceTwin') return { ok: false, refusal: 'malformed', reason: `unknown opType '${opType}'` };
  const body = twinBody.safeParse(input.body);
  if (!body.success) return { ok: false, refusal: 'malformed', reason: `malformed twin change: ${problem(body.error)}` };
  const replace = opType === 'replaceTwin';
  const base = { hub, deviceId, twinVersion: body.data.version, at, replace };
  const { reported, desired } = body.data.properties ?? {};
  const events: HealthEvent[] = [];
  if (reported || replace) {
    const r = reported ?? {};
    const code = r.lastDesiredStatus === null ? null : r.lastDesiredStatus?.code;
    events.push({
      kind: 'agentReported',
      ...base,
      ...(r.lastDesiredVersion !== undefined ? { lastDesiredVersion: r.lastDesiredVersion } : {}),
      ...(code !== undefined ? { desiredStatusCode: code } : {}),
      modules: reportedModules(r.modules),
      systemModules: reportedModules(r.systemModules),
    });
  }
  if (desired || replace) {
    const d = desired ?? {};
    events.push({ kind: 'agentDesired', ...base, ...(d.$version !== undefined ? { desiredVersion: d.$version } : {}), modules: desiredModules(d.modules), systemModules: desiredModules(d.systemModules) });
  }
  if (events.length === 0) return { ok: false, refusal: 'ignored', reason: 'twin change without reported or desired properties' };
  return { ok: true, events };
}
