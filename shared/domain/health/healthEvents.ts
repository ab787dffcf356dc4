// What IoT Hub message routing delivers to the health Event Hub, parsed into
// typed events: twin changes of $edgeAgent (reported: what runs; desired: what
// should), device connection state changes, and the agents' heartbeats.
// @azure/functions lower-cases the first letter of property keys, so keys are
// read case-insensitively. Anything else is reported with a reason (dead letter).
import { z } from 'zod';

/** One event as the Event Hub trigger hands it over (body plus the per-event metadata arrays). */
export interface EventInput {
  readonly body: unknown;
  readonly properties: Readonly<Record<string, unknown>>;
  readonly systemProperties: Readonly<Record<string, unknown>>;
  readonly enqueuedTimeUtc: string;
}

export interface ModuleState {
  readonly runtimeStatus?: string;
  readonly exitCode?: number;
  readonly restartCount?: number;
  readonly lastStartTimeUtc?: string;
  readonly image?: string;
}

export type HealthEvent =
  | { readonly kind: 'connection'; readonly hub: string; readonly deviceId: string; readonly connected: boolean; readonly sequenceNumber: string; readonly at: string }
  | {
      readonly kind: 'agentReported';
      readonly hub: string;
      readonly deviceId: string;
      readonly twinVersion: number;
      readonly at: string;
      readonly lastDesiredVersion?: number;
      readonly desiredStatusCode?: number;
      /** A patch: null removes a module. */
      readonly modules: Readonly<Record<string, ModuleState | null>>;
    }
  | {
      readonly kind: 'agentDesired';
      readonly hub: string;
      readonly deviceId: string;
      readonly twinVersion: number;
      readonly at: string;
      readonly desiredVersion?: number;
      readonly modules: Readonly<Record<string, { readonly image?: string; readonly status?: string } | null>>;
      /** `configurations.<id>.status` as IoT Hub records it on the agent's twin (a patch: null removes). */
      readonly configurations: Readonly<Record<string, string | null>>;
    }
  | { readonly kind: 'heartbeat'; readonly hub: string; readonly deviceId: string; readonly sentAt: string; readonly modules: Readonly<Record<string, string>> };

export type ParsedEvent = { readonly ok: true; readonly event: HealthEvent } | { readonly ok: false; readonly ignored: boolean; readonly reason: string };

const lowerFirst = (o: Readonly<Record<string, unknown>>) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k.charAt(0).toLowerCase() + k.slice(1), v]));

const routing = z.object({ hubName: z.string().min(1), deviceId: z.string().min(1), moduleId: z.string().optional(), opType: z.string().min(1), operationTimestamp: z.string().optional() });

const moduleReport = z
  .object({ runtimeStatus: z.string().optional(), exitCode: z.number().optional(), restartCount: z.number().optional(), lastStartTimeUtc: z.string().optional(), settings: z.object({ image: z.string().optional() }).partial().optional() })
  .transform((m): ModuleState => ({
    ...(m.runtimeStatus !== undefined ? { runtimeStatus: m.runtimeStatus } : {}),
    ...(m.exitCode !== undefined ? { exitCode: m.exitCode } : {}),
    ...(m.restartCount !== undefined ? { restartCount: m.restartCount } : {}),
    ...(m.lastStartTimeUtc !== undefined ? { lastStartTimeUtc: m.lastStartTimeUtc } : {}),
    ...(m.settings?.image !== undefined ? { image: m.settings.image } : {}),
  }));
const moduleDesired = z.object({ status: z.string().optional(), settings: z.object({ image: z.string().optional() }).partial().optional() }).transform((m) => ({ ...(m.status ? { status: m.status } : {}), ...(m.settings?.image ? { image: m.settings.image } : {}) }));

const configurationStatus = z.object({ status: z.string().min(1) }).transform((c) => c.status);

const twinBody = z.object({
  version: z.number().int(),
  configurations: z.record(z.string(), configurationStatus.nullable()).optional(),
  properties: z
    .object({
      reported: z
        .object({ lastDesiredVersion: z.number().optional(), lastDesiredStatus: z.object({ code: z.number() }).partial().optional(), modules: z.record(z.string(), moduleReport.nullable()).optional() })
        .loose()
        .optional(),
      desired: z.object({ $version: z.number().optional(), modules: z.record(z.string(), moduleDesired.nullable()).optional() }).loose().optional(),
    })
    .optional(),
});

const connectionBody = z.object({ sequenceNumber: z.string().regex(/^[0-9A-Fa-f]+$/, 'is not a sequence number') });

export const heartbeatSchema = z.object({
  type: z.literal('heartbeat'),
  deviceId: z.string().min(1),
  hubName: z.string().min(1),
  sentAtUtc: z.iso.datetime(),
  modules: z.record(z.string(), z.string()).default({}),
});

const problem = (error: z.ZodError) => error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ');

export function parseHealthEvent(input: EventInput): ParsedEvent {
  const props = lowerFirst(input.properties);
  const system = input.systemProperties;
  const rawSource = system['iothub-message-source'] ?? props['iothub-message-source'];
  const source = typeof rawSource === 'string' ? rawSource : '';

  if (source === 'Telemetry' || props.type === 'heartbeat') {
    if (props.type !== 'heartbeat') return { ok: false, ignored: true, reason: 'telemetry that is not a heartbeat' };
    const hb = heartbeatSchema.safeParse(input.body);
    if (!hb.success) return { ok: false, ignored: false, reason: `malformed heartbeat: ${problem(hb.error)}` };
    return { ok: true, event: { kind: 'heartbeat', hub: hb.data.hubName, deviceId: hb.data.deviceId, sentAt: hb.data.sentAtUtc, modules: hb.data.modules } };
  }

  const meta = routing.safeParse(props);
  if (!meta.success) return { ok: false, ignored: false, reason: `missing routing properties: ${problem(meta.error)}` };
  const at = meta.data.operationTimestamp ?? input.enqueuedTimeUtc;
  const { hubName: hub, deviceId } = meta.data;

  if (source === 'deviceConnectionStateEvents') {
    const body = connectionBody.safeParse(input.body);
    if (!body.success) return { ok: false, ignored: false, reason: `malformed connection event: ${problem(body.error)}` };
    if (meta.data.opType !== 'deviceConnected' && meta.data.opType !== 'deviceDisconnected') return { ok: false, ignored: false, reason: `unknown opType '${meta.data.opType}'` };
    return { ok: true, event: { kind: 'connection', hub, deviceId, connected: meta.data.opType === 'deviceConnected', sequenceNumber: body.data.sequenceNumber.toUpperCase(), at } };
  }

  if (source === 'twinChangeEvents') {
    // IoT Edge deployments live on the $edgeAgent module twin (that is where IoT Hub
    // records configurations.<id>.status for them); device twins and other modules
    // carry nothing a deployment's health depends on.
    if (meta.data.moduleId !== '$edgeAgent') return { ok: false, ignored: true, reason: 'twin change of something other than $edgeAgent' };
    const body = twinBody.safeParse(input.body);
    if (!body.success) return { ok: false, ignored: false, reason: `malformed twin change: ${problem(body.error)}` };
    const { reported, desired } = body.data.properties ?? {};
    const configurations = body.data.configurations;
    if (reported) {
      return {
        ok: true,
        event: {
          kind: 'agentReported',
          hub,
          deviceId,
          twinVersion: body.data.version,
          at,
          ...(reported.lastDesiredVersion !== undefined ? { lastDesiredVersion: reported.lastDesiredVersion } : {}),
          ...(reported.lastDesiredStatus?.code !== undefined ? { desiredStatusCode: reported.lastDesiredStatus.code } : {}),
          modules: reported.modules ?? {},
        },
      };
    }
    if (desired || configurations) {
      return {
        ok: true,
        event: {
          kind: 'agentDesired',
          hub,
          deviceId,
          twinVersion: body.data.version,
          at,
          ...(desired?.$version !== undefined ? { desiredVersion: desired.$version } : {}),
          modules: desired?.modules ?? {},
          configurations: configurations ?? {},
        },
      };
    }
    return { ok: false, ignored: true, reason: 'twin change without reported or desired properties or configurations' };
  }
  return { ok: false, ignored: true, reason: `message source '${source || '(none)'}' is not a health event` };
}
