// Reading stored health: one device, a deployment's devices by state (page by
// page over the hubs' shards), and device counts per hub from the counters (a
// few small reads per hub, never a scan of the fleet).
import { z } from 'zod';
import { configurationId as configurationIdOf, parseConfigurationId } from '../../domain/deployments/configurationId';
import { effectiveState, type HealthState, isDeleted, moduleViews } from '../../domain/health/deviceHealth';
import { HEALTH_STATES, healthPartition, hubPartitions } from '../../domain/health/healthKeys';
import type { DeviceCounts } from '../../domain/rollout/conditions';
import { AppError, notFound } from '../../errors';
import { type DeviceCountsReport, type DeviceCountsSource, sumCounts } from '../reconcile/deviceCounts';
import type { HealthStore, StoredCounter, StoredDevice } from './healthStore';

const stateSchema = z.enum(HEALTH_STATES as [HealthState, ...HealthState[]]);

export const deviceHealthViewSchema = z
  .object({
    hub: z.string(),
    deviceId: z.string(),
    state: stateSchema.meta({ description: 'Now: silent past DEVICE_OFFLINE_AFTER_SECONDS or disconnected is offline, never failed' }),
    deployment: z
      .object({ configurationId: z.string(), id: z.string().nullable(), revision: z.int().nullable() })
      .nullable()
      .meta({ description: 'The configuration IoT Hub applied to the device; id/revision are null for configurations this app did not make' }),
    connection: z.object({ connected: z.boolean(), since: z.string() }).nullable(),
    lastSeenAt: z.string().nullable().meta({ description: 'The newest sign of life from the device itself (reports, heartbeats, connects)' }),
    lastEventAt: z.string().meta({ description: 'The newest event of any kind about the device' }),
    desiredVersion: z.int().nullable(),
    lastDesiredVersion: z.int().nullable().meta({ description: 'The desired version the agent last acted on' }),
    desiredStatusCode: z.int().nullable().meta({ description: "edgeAgent's lastDesiredStatus.code: 200 OK, 400/412/417/500 failed, 406 offline" }),
    modules: z.record(
      z.string(),
      z.object({
        runtimeStatus: z.string().nullable(),
        exitCode: z.number().nullable(),
        restartCount: z.number().nullable(),
        lastStartTimeUtc: z.string().nullable(),
        image: z.string().nullable(),
        desiredImage: z.string().nullable(),
        desiredStatus: z.string().nullable(),
      }),
    ),
    systemModules: z
      .record(z.string(), z.object({ runtimeStatus: z.string().nullable(), restartCount: z.number().nullable(), image: z.string().nullable() }))
      .meta({ description: "edgeAgent's reported systemModules (edgeAgent, edgeHub): a failed or crash-looping one fails the device" }),
    moduleConnections: z.record(z.string(), z.object({ connected: z.boolean(), since: z.string() })).meta({ description: 'Connection state of module identities ($edgeAgent, $edgeHub, user modules)' }),
    heartbeatAt: z.string().nullable().meta({ description: 'When IoT Hub received the newest heartbeat' }),
  })
  .meta({ id: 'DeviceHealth' });
export type DeviceHealthView = z.infer<typeof deviceHealthViewSchema>;

export function deviceHealthView(stored: StoredDevice, now: Date, offlineAfterSeconds: number): DeviceHealthView {
  const r = stored.record;
  const configurationId = stored.placement.configurationId;
  const parsed = configurationId ? parseConfigurationId(configurationId) : undefined;
  const reportedModules = moduleViews(r.modules);
  const desiredModules = moduleViews(r.desiredModules);
  const names = new Set([...Object.keys(reportedModules), ...Object.keys(desiredModules)]);
  const modules: DeviceHealthView['modules'] = {};
  const str = (v: string | number | undefined) => (typeof v === 'string' ? v : null);
  const num = (v: string | number | undefined) => (typeof v === 'number' ? v : null);
  for (const name of [...names].sort()) {
    const reported = reportedModules[name];
    const desired = desiredModules[name];
    modules[name] = {
      runtimeStatus: str(reported?.runtimeStatus),
      exitCode: num(reported?.exitCode),
      restartCount: num(reported?.restartCount),
      lastStartTimeUtc: str(reported?.lastStartTimeUtc),
      image: str(reported?.image),
      desiredImage: str(desired?.image),
      desiredStatus: str(desired?.status),
    };
  }
  const systemModules = Object.fromEntries(Object.entries(moduleViews(r.systemModules)).map(([name, m]) => [name, { runtimeStatus: str(m.runtimeStatus), restartCount: num(m.restartCount), image: str(m.image) }]));
  const moduleConnections = Object.fromEntries(Object.entries(r.moduleConnections ?? {}).map(([id, c]) => [id, { connected: c.connected, since: c.since }]));
  // The stored state may be the stale sweep's 'offline'; read now, the record decides.
  return {
    hub: r.hub,
    deviceId: r.deviceId,
    state: effectiveState(r, now, offlineAfterSeconds),
    deployment: configurationId ? { configurationId, id: parsed?.deploymentId ?? null, revision: parsed?.revision ?? null } : null,
    connection: r.connection ? { connected: r.connection.connected, since: r.connection.since } : null,
    lastSeenAt: r.lastSeenAt ?? null,
    lastEventAt: r.lastEventAt,
    desiredVersion: r.desiredVersion?.value ?? null,
    lastDesiredVersion: r.lastDesiredVersion?.value ?? null,
    desiredStatusCode: r.desiredStatusCode?.value ?? null,
    modules,
    systemModules,
    moduleConnections,
    heartbeatAt: r.heartbeat?.at ?? null,
  };
}

export async function getDeviceHealth(store: HealthStore, hub: string, deviceId: string): Promise<StoredDevice> {
  const stored = (await store.readDevices(healthPartition(hub, deviceId), [deviceId])).get(deviceId);
  // A deleted identity is kept as a tombstone (so late events cannot revive it) but is no device any more.
  if (!stored || isDeleted(stored.record)) throw notFound(`health of device '${deviceId}' on hub '${hub}'`, 'DeviceHealthNotFound');
  return stored;
}

export const deploymentDeviceSchema = z
  .object({
    hub: z.string(),
    deviceId: z.string(),
    state: stateSchema.meta({ description: 'Where the counts count the device (a device silent past the stale sweep\'s watermark is offline)' }),
    restarts: z.record(z.string(), z.int()).meta({ description: "restartCount of the device's user modules that restarted, as edgeAgent last reported them on this revision (modules not listed: 0)" }),
  })
  .meta({ id: 'DeploymentDevice' });
export type DeploymentDevice = z.infer<typeof deploymentDeviceSchema>;

// The continuation token says which of the hubs' partitions the listing is in
// and where in it; opaque to clients (base64url JSON).
interface Cursor {
  readonly p: number;
  readonly t?: string;
}
const encodeCursor = (c: Cursor) => Buffer.from(JSON.stringify(c)).toString('base64url');
function decodeCursor(token: string | undefined): Cursor {
  if (!token) return { p: 0 };
  try {
    const c = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as Cursor;
    if (Number.isInteger(c.p) && c.p >= 0 && (c.t === undefined || typeof c.t === 'string')) return c;
  } catch {
    // falls through to the error below
  }
  throw new AppError('InvalidContinuationToken', 400, 'continuationToken is not one this API issued', { issues: [{ pointer: '/query/continuationToken', detail: 'is not a token this API issued' }], retryable: false });
}

/** A deployment revision's devices, optionally in one state, over the given hubs; paged. */
export async function listDeploymentDevices(
  store: HealthStore,
  args: { hubs: readonly string[]; deploymentId: string; revision: number; state?: HealthState; pageSize: number; continuationToken?: string },
): Promise<{ items: DeploymentDevice[]; continuationToken?: string }> {
  const partitions = args.hubs.flatMap(hubPartitions);
  const configurationId = configurationIdOf(args.deploymentId, args.revision);
  let cursor = decodeCursor(args.continuationToken);
  const items: DeploymentDevice[] = [];
  while (cursor.p < partitions.length && items.length < args.pageSize) {
    const partition = partitions[cursor.p]!;
    // The stale sweep's watermarks on the configuration's counter rows say which silent devices count as offline.
    const silentBefore = new Map([...(await store.readCounters(partition)).values()].filter((c) => c.configurationId === configurationId).map((c) => [c.writer, c.silentBefore]));
    const page = await store.listDevices(partition, { configurationId, ...(args.state ? { state: args.state } : {}), silentBefore, pageSize: args.pageSize - items.length, ...(cursor.t ? { continuationToken: cursor.t } : {}) });
    items.push(...page.items.map((i) => ({ hub: i.hub, deviceId: i.deviceId, state: i.state, restarts: { ...i.restarts } })));
    cursor = page.continuationToken ? { p: cursor.p, t: page.continuationToken } : { p: cursor.p + 1 };
  }
  return { items, ...(cursor.p < partitions.length ? { continuationToken: encodeCursor(cursor) } : {}) };
}

type CountersByConfiguration = Map<string, Map<string, StoredCounter[]>>;

/** Counters of the given hubs (all of a partition in one query), by configuration then hub. */
async function readAllCounters(store: HealthStore, hubs: readonly string[]): Promise<CountersByConfiguration> {
  const out: CountersByConfiguration = new Map();
  const partitions = hubs.flatMap((hub) => hubPartitions(hub).map((partition) => ({ hub, partition })));
  for (let i = 0; i < partitions.length; i += READ_PARALLELISM) {
    const slice = partitions.slice(i, i + READ_PARALLELISM);
    const read = await Promise.all(slice.map(({ partition }) => store.readCounters(partition)));
    read.forEach((counters, j) => {
      const hub = slice[j]!.hub;
      // A configuration has a row per writer in each partition: all of them are its counts.
      for (const counter of counters.values()) {
        const configurationId = counter.configurationId;
        const byHub = out.get(configurationId) ?? out.set(configurationId, new Map()).get(configurationId)!;
        (byHub.get(hub) ?? byHub.set(hub, []).get(hub)!).push(counter);
      }
    });
  }
  return out;
}

const READ_PARALLELISM = 16;

function report(byHubCounters: Map<string, StoredCounter[]>): DeviceCountsReport {
  const byHub = new Map<string, DeviceCounts>();
  const restartsByHub = new Map<string, number>();
  let asOf: string | null = null;
  for (const [hub, counters] of byHubCounters) {
    byHub.set(hub, sumCounts(counters.map((c) => c.counts)));
    restartsByHub.set(hub, counters.reduce((sum, c) => sum + c.restarts, 0));
    for (const c of counters) if (c.asOf && (!asOf || c.asOf > asOf)) asOf = c.asOf;
  }
  return { byHub, restartsByHub, asOf, source: 'health' };
}

/**
 * Device counts from ingested health: each hub's shard counters for the
 * revision's configuration. Until ingestion has seen any device of the
 * revision, the hubs' own metrics stand in (`fallback`).
 */
export function healthDeviceCounts(store: HealthStore, hubs: () => readonly string[], fallback: DeviceCountsSource): DeviceCountsSource {
  const answer = (counters: CountersByConfiguration, otherwise: DeviceCountsSource, deploymentId: string, revision: number) => {
    const found = counters.get(configurationIdOf(deploymentId, revision));
    return found?.size ? Promise.resolve(report(found)) : otherwise.count(deploymentId, revision);
  };
  return {
    async count(deploymentId, revision, only) {
      return answer(await readAllCounters(store, only ?? hubs()), fallback, deploymentId, revision);
    },
    async prefetch() {
      const counters = await readAllCounters(store, hubs());
      const otherwise = fallback.prefetch ? await fallback.prefetch() : fallback;
      return { count: (deploymentId, revision) => answer(counters, otherwise, deploymentId, revision) };
    },
  };
}
