// One device's health, folded from its events so that order and duplicates do
// not matter: every field remembers the version that set it (the twin version
// for reported and desired properties, the sequence number for the connection,
// the send time for heartbeats) and only a newer one replaces it. Any
// permutation of the same events gives the same record.
import type { HealthEvent, ModuleState } from './healthEvents';

interface Versioned<T> {
  readonly value: T;
  readonly version: number;
}

export interface DeviceHealth {
  readonly hub: string;
  readonly deviceId: string;
  readonly connection?: { readonly connected: boolean; readonly since: string; readonly sequenceNumber: string };
  readonly lastDesiredVersion?: Versioned<number>;
  readonly desiredStatusCode?: Versioned<number>;
  /** Reported per module; a null value is a removal kept as a tombstone so an older report cannot revive it. */
  readonly modules: Readonly<Record<string, Versioned<ModuleState | null>>>;
  readonly desiredVersion?: Versioned<number>;
  readonly desiredModules: Readonly<Record<string, Versioned<{ readonly image?: string; readonly status?: string } | null>>>;
  /** `configurations.<id>.status` of the agent's twin; null is a removal kept as a tombstone. */
  readonly configurations: Readonly<Record<string, Versioned<string | null>>>;
  readonly heartbeat?: { readonly sentAt: string; readonly modules: Readonly<Record<string, string>> };
  /** The newest event time seen: how fresh this record is. */
  readonly lastEventAt: string;
  /** The newest sign of life from the device itself (its reports, heartbeats, connects); desired changes are the service's doing. */
  readonly lastSeenAt?: string;
}

export type HealthState = 'succeeded' | 'progressing' | 'failed' | 'offline' | 'unknown';

/** Connection sequence numbers are fixed-width hex strings: longer is newer, then lexical order. */
const newerSequence = (a: string, b: string) => (a.length !== b.length ? a.length > b.length : a > b);

function newer<T>(current: Versioned<T> | undefined, value: T, version: number): Versioned<T> | undefined {
  return current && current.version >= version ? current : { value, version };
}

function mergeVersioned<T>(current: Readonly<Record<string, Versioned<T>>>, patch: Readonly<Record<string, T>>, version: number): Record<string, Versioned<T>> {
  const out: Record<string, Versioned<T>> = { ...current };
  for (const [name, value] of Object.entries(patch)) out[name] = newer(current[name], value, version)!;
  return out;
}

/**
 * Configuration entries kept per device: every revision leaves a removal
 * behind, and a record must not grow with a deployment's history. Dropping the
 * oldest is safe for what matters: the applied configuration is the newest
 * Applied entry, which an older event can never outrank.
 */
const KEPT_CONFIGURATIONS = 8;

function newest<T>(entries: Record<string, Versioned<T>>, keep: number): Record<string, Versioned<T>> {
  const all = Object.entries(entries);
  if (all.length <= keep) return entries;
  return Object.fromEntries(all.sort(([a, x], [b, y]) => y.version - x.version || (a < b ? -1 : 1)).slice(0, keep));
}

const later = (a: string, b: string) => (Date.parse(a) >= Date.parse(b) ? a : b);

export function applyEvent(record: DeviceHealth | undefined, event: HealthEvent): DeviceHealth {
  const at = event.kind === 'heartbeat' ? event.sentAt : event.at;
  const base: DeviceHealth = record ?? { hub: event.hub, deviceId: event.deviceId, modules: {}, desiredModules: {}, configurations: {}, lastEventAt: at };
  const lastEventAt = later(base.lastEventAt, at);
  const fromDevice = event.kind !== 'agentDesired' && !(event.kind === 'connection' && !event.connected);
  const lastSeenAt = fromDevice ? (base.lastSeenAt ? later(base.lastSeenAt, at) : at) : base.lastSeenAt;
  const stamped = { ...base, lastEventAt, ...(lastSeenAt ? { lastSeenAt } : {}) };
  switch (event.kind) {
    case 'connection': {
      const keep = base.connection && !newerSequence(event.sequenceNumber, base.connection.sequenceNumber);
      return { ...stamped, ...(keep ? {} : { connection: { connected: event.connected, since: event.at, sequenceNumber: event.sequenceNumber } }) };
    }
    case 'agentReported': {
      const v = event.twinVersion;
      const lastDesiredVersion = event.lastDesiredVersion === undefined ? base.lastDesiredVersion : newer(base.lastDesiredVersion, event.lastDesiredVersion, v);
      const desiredStatusCode = event.desiredStatusCode === undefined ? base.desiredStatusCode : newer(base.desiredStatusCode, event.desiredStatusCode, v);
      return {
        ...stamped,
        ...(lastDesiredVersion ? { lastDesiredVersion } : {}),
        ...(desiredStatusCode ? { desiredStatusCode } : {}),
        modules: mergeVersioned(base.modules, event.modules, v),
      };
    }
    case 'agentDesired': {
      const desiredVersion = event.desiredVersion === undefined ? base.desiredVersion : newer(base.desiredVersion, event.desiredVersion, event.twinVersion);
      return {
        ...stamped,
        ...(desiredVersion ? { desiredVersion } : {}),
        desiredModules: mergeVersioned(base.desiredModules, event.modules, event.twinVersion),
        configurations: newest(mergeVersioned(base.configurations, event.configurations, event.twinVersion), KEPT_CONFIGURATIONS),
      };
    }
    case 'heartbeat': {
      const keep = base.heartbeat && Date.parse(base.heartbeat.sentAt) >= Date.parse(event.sentAt);
      return { ...stamped, ...(keep ? {} : { heartbeat: { sentAt: event.sentAt, modules: event.modules } }) };
    }
  }
}

/** Folds one batch's events per device (the ingest coalesces before it writes). */
export function coalesce(events: readonly HealthEvent[], existing: (hub: string, deviceId: string) => DeviceHealth | undefined = () => undefined): Map<string, DeviceHealth> {
  const out = new Map<string, DeviceHealth>();
  for (const event of events) {
    const key = `${event.hub}|${event.deviceId}`;
    out.set(key, applyEvent(out.get(key) ?? existing(event.hub, event.deviceId), event));
  }
  return out;
}

const FAILED_CODES = new Set([400, 412, 417, 500]);
const FAILED_RUNTIME = new Set(['failed', 'unhealthy']);
/** A module in backoff this many times is crash-looping, not starting. */
const CRASH_LOOP_RESTARTS = 3;

/**
 * The device's state for the deployment it runs, read at `now`: silent past
 * `offlineAfterSeconds` or disconnected is offline (never failed). What events
 * cannot tell (which configuration was applied) is decided by the caller.
 */
export function effectiveState(record: DeviceHealth, now: Date, offlineAfterSeconds: number): HealthState {
  if (record.connection && !record.connection.connected) return 'offline';
  if (now.getTime() - Date.parse(record.lastSeenAt ?? record.lastEventAt) > offlineAfterSeconds * 1000) return 'offline';
  const code = record.desiredStatusCode?.value;
  // Configured but not reported yet: the agent is on its way (or silent, which the reconciler's sweep decides).
  if (code === undefined) return record.desiredVersion || appliedConfiguration(record) ? 'progressing' : 'unknown';
  if (code === 406) return 'offline'; // edgeAgent: device not connected / unknown
  if (FAILED_CODES.has(code)) return 'failed';
  const modules = Object.values(record.modules).flatMap((m) => (m.value ? [m.value] : []));
  if (modules.some((m) => FAILED_RUNTIME.has(m.runtimeStatus ?? '') || (m.runtimeStatus === 'backoff' && (m.restartCount ?? 0) >= CRASH_LOOP_RESTARTS))) return 'failed';
  if (record.desiredVersion && record.lastDesiredVersion?.value !== record.desiredVersion.value) return 'progressing';
  for (const [name, desired] of Object.entries(record.desiredModules)) {
    if (!desired.value) continue;
    const reported = record.modules[name]?.value;
    const wantedStatus = desired.value.status ?? 'running';
    if (!reported || reported.runtimeStatus !== wantedStatus || (desired.value.image && reported.image !== desired.value.image)) return 'progressing';
  }
  return code === 200 && modules.every((m) => m.runtimeStatus === 'running' || m.runtimeStatus === 'stopped') ? 'succeeded' : 'progressing';
}

/**
 * The configuration IoT Hub applied to the device's agent (the one its health
 * is about); when several say Applied (layered deployments) the newest report wins.
 */
export function appliedConfiguration(record: DeviceHealth): string | undefined {
  let best: { id: string; version: number } | undefined;
  for (const [id, status] of Object.entries(record.configurations)) {
    if (status.value === 'Applied' && (!best || status.version > best.version || (status.version === best.version && id > best.id))) best = { id, version: status.version };
  }
  return best?.id;
}

/** Where a device is counted: under its applied configuration ('' when none), in one state. */
export interface Placement {
  readonly configurationId: string;
  readonly state: HealthState;
}

/**
 * The placement ingestion stores: read at the device's own last sign of life,
 * so replaying events gives the same answer whenever it happens. Silence is the
 * reconciler's business (it moves silent devices to offline with the wall clock).
 */
export function placementOf(record: DeviceHealth, offlineAfterSeconds: number, now?: Date): Placement {
  const at = now ?? new Date(record.lastSeenAt ?? record.lastEventAt);
  return { configurationId: appliedConfiguration(record) ?? '', state: effectiveState(record, at, offlineAfterSeconds) };
}

/**
 * The device's module restarts as edgeAgent reports them (the sum of
 * restartCount), counted with the configuration the device is placed under.
 * Until the agent reports on the desired version it was given, its modules are
 * still those of what it ran before, whose restarts are not this
 * configuration's doing: they count as 0.
 */
export function moduleRestarts(record: DeviceHealth): number {
  if (record.desiredVersion && record.lastDesiredVersion?.value !== record.desiredVersion.value) return 0;
  let sum = 0;
  for (const m of Object.values(record.modules)) sum += Math.max(0, m.value?.restartCount ?? 0);
  return sum;
}
