// One device's health, folded from its events so that order and duplicates do
// not matter. Twin change events are patches (an absent key keeps its value,
// null removes it; replaceTwin carries the whole twin), so every field of every
// module remembers the twin version that set it, and a removal remembers when
// it happened: only a newer value replaces an older one. Connection state is
// ordered by IoT Hub's sequence numbers, per identity (the device and each of
// its modules connect on their own). Any permutation of the same events gives
// the same record.
import type { FieldPatch, HealthEvent, ModulesPatch } from './healthEvents';

interface Versioned<T> {
  readonly value: T;
  readonly version: number;
}

/** One module's fields, each with the version that set it; fields older than `clearedAt` are gone. */
export interface ModuleEntry {
  readonly clearedAt: number;
  readonly fields: Readonly<Record<string, Versioned<string | number | null>>>;
}
export type Modules = Readonly<Record<string, ModuleEntry>>;

export interface Connection {
  readonly connected: boolean;
  readonly since: string;
  readonly sequenceNumber: string;
}

export interface DeviceHealth {
  readonly hub: string;
  readonly deviceId: string;
  /** Lifecycle: when the identity was last created / deleted (hub time). */
  readonly createdAt?: string;
  readonly deletedAt?: string;
  readonly connection?: Connection;
  /** Module identities ($edgeAgent, $edgeHub, user modules) connect and disconnect on their own. */
  readonly moduleConnections?: Readonly<Record<string, Connection>>;
  readonly lastDesiredVersion?: Versioned<number | null>;
  readonly desiredStatusCode?: Versioned<number | null>;
  /** Reported user modules (edgeAgent's `modules`). */
  readonly modules: Modules;
  /** Reported `systemModules` (edgeAgent, edgeHub). */
  readonly systemModules?: Modules;
  readonly desiredVersion?: Versioned<number | null>;
  readonly desiredModules: Modules;
  /** Desired `systemModules` (edgeAgent, edgeHub): their `configuration` field names the base deployment. */
  readonly desiredSystemModules?: Modules;
  readonly heartbeat?: { readonly sentAt: string; readonly at: string; readonly modules: Readonly<Record<string, string>> };
  /** The newest event time seen (hub clock): how fresh this record is. */
  readonly lastEventAt: string;
  /** The newest sign of life from the device itself (its reports, heartbeats, connects); desired changes are the service's doing. */
  readonly lastSeenAt?: string;
}

export type HealthState = 'succeeded' | 'progressing' | 'failed' | 'offline' | 'unknown';

/** What a module's fields say now (removed fields and modules left out). */
export interface ModuleView {
  readonly [field: string]: string | number | undefined;
}

/** Connection sequence numbers are fixed-width hex strings: longer is newer, then lexical order. */
const newerSequence = (a: string, b: string) => (a.length !== b.length ? a.length > b.length : a > b);

function newer<T>(current: Versioned<T> | undefined, value: T, version: number): Versioned<T> {
  return current && current.version >= version ? current : { value, version };
}

/** A removal at version v hides everything set at v or before; a replace at v clears just before v, then sets. */
function mergeModules(current: Modules, patch: ModulesPatch, version: number, replace: boolean): Modules {
  const out: Record<string, ModuleEntry> = { ...current };
  if (replace) for (const [name, entry] of Object.entries(current)) if (!(name in patch)) out[name] = clear(entry, version);
  for (const [name, fields] of Object.entries(patch)) {
    const entry = out[name] ?? { clearedAt: -1, fields: {} };
    out[name] = fields === null ? clear(entry, version) : setFields(replace ? clear(entry, version - 0.5) : entry, fields, version);
  }
  return out;
}

function clear(entry: ModuleEntry, at: number): ModuleEntry {
  if (entry.clearedAt >= at) return entry;
  const fields = Object.fromEntries(Object.entries(entry.fields).filter(([, f]) => f.version > at));
  return { clearedAt: at, fields };
}

function setFields(entry: ModuleEntry, patch: FieldPatch, version: number): ModuleEntry {
  if (version <= entry.clearedAt) return entry;
  const fields: Record<string, Versioned<string | number | null>> = { ...entry.fields };
  for (const [name, value] of Object.entries(patch)) fields[name] = newer(fields[name], value, version);
  return { clearedAt: entry.clearedAt, fields };
}

/** The live modules and their live fields. */
export function moduleViews(modules: Modules | undefined): Record<string, ModuleView> {
  const out: Record<string, ModuleView> = {};
  for (const [name, entry] of Object.entries(modules ?? {})) {
    const live = Object.entries(entry.fields).filter(([, f]) => f.version > entry.clearedAt && f.value !== null);
    if (live.length) out[name] = Object.fromEntries(live.map(([k, f]) => [k, f.value as string | number]));
  }
  return out;
}

/** Tombstones are needed only while an older event could still arrive: keep a bounded number (the newest). */
const KEPT_TOMBSTONES = 8;
function pruned(modules: Modules): Modules {
  const dead = Object.entries(modules).filter(([, e]) => !Object.values(e.fields).some((f) => f.version > e.clearedAt && f.value !== null));
  if (dead.length <= KEPT_TOMBSTONES) return modules;
  const drop = new Set(dead.sort(([a, x], [b, y]) => x.clearedAt - y.clearedAt || (a < b ? -1 : 1)).slice(0, dead.length - KEPT_TOMBSTONES).map(([n]) => n));
  return Object.fromEntries(Object.entries(modules).filter(([n]) => !drop.has(n)));
}

const later = (a: string, b: string) => (Date.parse(a) >= Date.parse(b) ? a : b);
const isLater = (a: string | undefined, b: string | undefined) => a !== undefined && (b === undefined || Date.parse(a) > Date.parse(b));

const emptyRecord = (hub: string, deviceId: string, at: string): DeviceHealth => ({ hub, deviceId, modules: {}, desiredModules: {}, lastEventAt: at });

function connectionAfter(current: Connection | undefined, connected: boolean, sequenceNumber: string, at: string): Connection {
  return current && !newerSequence(sequenceNumber, current.sequenceNumber) ? current : { connected, since: at, sequenceNumber };
}

export function applyEvent(record: DeviceHealth | undefined, event: HealthEvent): DeviceHealth {
  const at = event.at;
  if (event.kind === 'lifecycle') {
    if (event.created) {
      // A new identity under the same id starts afresh: what came before belonged to the deleted one.
      if (record && !isLater(at, record.createdAt)) return record;
      return { ...emptyRecord(event.hub, event.deviceId, later(record?.lastEventAt ?? at, at)), createdAt: at, ...(record?.deletedAt ? { deletedAt: record.deletedAt } : {}) };
    }
    const base = record ?? emptyRecord(event.hub, event.deviceId, at);
    return isLater(at, base.deletedAt) ? { ...base, deletedAt: at, lastEventAt: later(base.lastEventAt, at) } : base;
  }
  const base = record ?? emptyRecord(event.hub, event.deviceId, at);
  // Events of an identity created later than this one happened are the deleted identity's.
  if (base.createdAt && Date.parse(at) < Date.parse(base.createdAt)) return base;
  const lastEventAt = later(base.lastEventAt, at);
  const fromDevice = event.kind !== 'agentDesired' && !(event.kind === 'connection' && !event.connected);
  const lastSeenAt = fromDevice ? (base.lastSeenAt ? later(base.lastSeenAt, at) : at) : base.lastSeenAt;
  const stamped: DeviceHealth = { ...base, lastEventAt, ...(lastSeenAt ? { lastSeenAt } : {}) };
  switch (event.kind) {
    case 'connection': {
      if (!event.moduleId) return { ...stamped, connection: connectionAfter(base.connection, event.connected, event.sequenceNumber, at) };
      const moduleConnections = { ...base.moduleConnections, [event.moduleId]: connectionAfter(base.moduleConnections?.[event.moduleId], event.connected, event.sequenceNumber, at) };
      return { ...stamped, moduleConnections };
    }
    case 'agentReported': {
      const v = event.twinVersion;
      const keep = <T>(current: Versioned<T | null> | undefined, value: T | null | undefined) => (value === undefined ? (event.replace ? newer(current, null, v) : current) : newer(current, value, v));
      const lastDesiredVersion = keep(base.lastDesiredVersion, event.lastDesiredVersion);
      const desiredStatusCode = keep(base.desiredStatusCode, event.desiredStatusCode);
      return {
        ...stamped,
        ...(lastDesiredVersion ? { lastDesiredVersion } : {}),
        ...(desiredStatusCode ? { desiredStatusCode } : {}),
        modules: pruned(mergeModules(base.modules, event.modules, v, event.replace)),
        systemModules: mergeModules(base.systemModules ?? {}, event.systemModules, v, event.replace),
      };
    }
    case 'agentDesired': {
      const v = event.twinVersion;
      const desiredVersion = event.desiredVersion === undefined ? base.desiredVersion : newer(base.desiredVersion, event.desiredVersion, v);
      return {
        ...stamped,
        ...(desiredVersion ? { desiredVersion } : {}),
        desiredModules: pruned(mergeModules(base.desiredModules, event.modules, v, event.replace)),
        desiredSystemModules: mergeModules(base.desiredSystemModules ?? {}, event.systemModules, v, event.replace),
      };
    }
    case 'heartbeat': {
      const keepOld = base.heartbeat && Date.parse(base.heartbeat.at) >= Date.parse(event.at);
      return { ...stamped, ...(keepOld ? {} : { heartbeat: { sentAt: event.sentAt, at: event.at, modules: event.modules } }) };
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

export const isDeleted = (record: DeviceHealth) => isLater(record.deletedAt, record.createdAt);

/**
 * The deployment (configuration id) the device was told to run: the id IoT Hub stamps on the desired
 * system modules when it applies a base deployment; without one (layered deployments only), the id most of
 * the desired user modules carry.
 */
export function appliedConfiguration(record: DeviceHealth): string | undefined {
  const system = moduleViews(record.desiredSystemModules);
  for (const name of ['edgeAgent', 'edgeHub']) {
    const id = system[name]?.configuration;
    if (typeof id === 'string' && id) return id;
  }
  const votes = new Map<string, number>();
  for (const m of Object.values(moduleViews(record.desiredModules))) if (typeof m.configuration === 'string' && m.configuration) votes.set(m.configuration, (votes.get(m.configuration) ?? 0) + 1);
  let best: [string, number] | undefined;
  for (const entry of votes) if (!best || entry[1] > best[1] || (entry[1] === best[1] && entry[0] > best[0])) best = entry;
  return best?.[0];
}

const FAILED_CODES = new Set([400, 412, 417, 500]);
const FAILED_RUNTIME = new Set(['failed', 'unhealthy']);
/** A module in backoff this many times is crash-looping, not starting. */
const CRASH_LOOP_RESTARTS = 3;

const broken = (m: ModuleView) => FAILED_RUNTIME.has(String(m.runtimeStatus ?? '')) || (m.runtimeStatus === 'backoff' && Number(m.restartCount ?? 0) >= CRASH_LOOP_RESTARTS);

/**
 * The device's state for the deployment it runs, read at `now`: silent past
 * `offlineAfterSeconds` or disconnected is offline (never failed). A failed
 * or crash-looping system module (edgeAgent, edgeHub) fails the device like a
 * user module does.
 */
export function effectiveState(record: DeviceHealth, now: Date, offlineAfterSeconds: number): HealthState {
  if (record.connection && !record.connection.connected) return 'offline';
  if (now.getTime() - Date.parse(record.lastSeenAt ?? record.lastEventAt) > offlineAfterSeconds * 1000) return 'offline';
  const code = record.desiredStatusCode?.value ?? undefined;
  const desired = moduleViews(record.desiredModules);
  // Configured but not reported yet: the agent is on its way (or silent, which the reconciler's sweep decides).
  if (code === undefined) return (record.desiredVersion?.value ?? null) !== null || Object.keys(desired).length ? 'progressing' : 'unknown';
  if (code === 406) return 'offline'; // edgeAgent: device not connected / unknown
  if (FAILED_CODES.has(code)) return 'failed';
  const modules = moduleViews(record.modules);
  const system = Object.values(moduleViews(record.systemModules));
  if (Object.values(modules).some(broken) || system.some(broken)) return 'failed';
  const desiredVersion = record.desiredVersion?.value ?? undefined;
  if (desiredVersion !== undefined && record.lastDesiredVersion?.value !== desiredVersion) return 'progressing';
  for (const [name, want] of Object.entries(desired)) {
    const reported = modules[name];
    const wantedStatus = want.status ?? 'running';
    if (!reported || reported.runtimeStatus !== wantedStatus || (want.image !== undefined && reported.image !== want.image)) return 'progressing';
  }
  if (system.some((m) => m.runtimeStatus !== undefined && m.runtimeStatus !== 'running')) return 'progressing';
  return code === 200 && Object.values(modules).every((m) => m.runtimeStatus === 'running' || m.runtimeStatus === 'stopped') ? 'succeeded' : 'progressing';
}

/** Where a device is counted: under the configuration it runs ('' when none is known), in one state. */
export interface Placement {
  readonly configurationId: string;
  readonly state: HealthState;
}

/**
 * The placement ingestion stores: read at the device's own last sign of life,
 * so replaying events gives the same answer whenever it happens. Silence is the
 * reconciler's business (it moves silent devices to offline with the wall
 * clock). A deleted device is counted nowhere.
 */
export function placementOf(record: DeviceHealth, offlineAfterSeconds: number, now?: Date): Placement {
  if (isDeleted(record)) return { configurationId: '', state: 'unknown' };
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
  return Object.values(restartsByModule(record)).reduce((sum, n) => sum + n, 0);
}

/** The same restarts per user module (a Pod's containers' restartCount); empty until the agent reports on its desired version. */
export function restartsByModule(record: DeviceHealth): Record<string, number> {
  const desiredVersion = record.desiredVersion?.value ?? undefined;
  if (desiredVersion !== undefined && record.lastDesiredVersion?.value !== desiredVersion) return {};
  const out: Record<string, number> = {};
  for (const [name, m] of Object.entries(moduleViews(record.modules))) {
    const n = Math.max(0, Number(m.restartCount ?? 0) || 0);
    if (n) out[name] = n;
  }
  return out;
}
