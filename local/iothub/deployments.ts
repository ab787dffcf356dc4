// How IoT Hub applies configurations to a device: among the matching base
// IoT Edge deployments the highest priority wins (ties: the newest), matching
// layered deployments (`properties.desired.<path>` keys) merge on top in
// priority order, and the twin records each configuration as Targeted or Applied.
import { isDeepStrictEqual } from 'node:util';
import { type ConfigurationRecord } from './configurations';
import { type Device } from './devices';
import { type Condition, evaluateCondition, parseQuery, runQuery } from './query';
import { type Json } from './twin';

const BASE_KEY = 'properties.desired';
const LAYER_PREFIX = 'properties.desired.';

const modulesContent = (c: ConfigurationRecord) => c.content.modulesContent as Record<string, Json> | undefined;

export function isLayered(c: ConfigurationRecord): boolean {
  const modules = modulesContent(c);
  return !!modules && Object.values(modules).every((m) => !(BASE_KEY in m));
}

/** Higher priority first; among equals the newest first. */
const byPrecedence = (a: ConfigurationRecord, b: ConfigurationRecord) =>
  b.priority - a.priority || b.createdTimeUtc.localeCompare(a.createdTimeUtc) || b.sequence - a.sequence;

function setPath(target: Json, path: string[], value: unknown): void {
  let node = target;
  for (const segment of path.slice(0, -1)) {
    const next = node[segment];
    node = node[segment] = next !== null && typeof next === 'object' && !Array.isArray(next) ? { ...(next as Json) } : {};
  }
  node[path[path.length - 1]!] = structuredClone(value);
}

/**
 * IoT Hub sets `modules.<id>.configuration.id` and `systemModules.<id>.configuration.id` on `$edgeAgent`'s
 * desired properties when it applies a deployment: "The ID of the deployment that deployed this module ...
 * Not part of a deployment manifest" (IoT Edge docs, "Properties of the IoT Edge agent and IoT Edge hub module twins").
 */
function stampConfiguration(agent: Json, id: string): void {
  for (const section of ['systemModules', 'modules']) {
    const modules = agent[section];
    if (modules && typeof modules === 'object') for (const name of Object.keys(modules)) stampModule(agent, name, id, section);
  }
}

function stampModule(agent: Json, name: string, id: string, section = 'modules'): void {
  const module = (agent[section] as Record<string, Json> | undefined)?.[name];
  if (module && typeof module === 'object') module.configuration = { id };
}

/** The desired properties each module should have; modules absent from the result keep theirs. */
export function resolveModules(matching: readonly ConfigurationRecord[], current: (moduleId: string) => Json): {
  desired: Map<string, Json>;
  statuses: Record<string, { status: 'Targeted' | 'Applied' }>;
} {
  const edge = matching.filter((c) => modulesContent(c)).sort(byPrecedence);
  const bases = edge.filter((c) => !isLayered(c));
  const layers = edge.filter(isLayered).reverse(); // lowest precedence first, so higher ones overwrite
  const statuses: Record<string, { status: 'Targeted' | 'Applied' }> = {};
  const desired = new Map<string, Json>();
  const winner = bases[0];
  bases.forEach((c, i) => (statuses[c.id] = { status: i === 0 ? 'Applied' : 'Targeted' }));
  if (winner) {
    for (const [moduleId, content] of Object.entries(modulesContent(winner)!)) {
      const properties = structuredClone((content[BASE_KEY] ?? {}) as Json);
      if (moduleId === '$edgeAgent') stampConfiguration(properties, winner.id);
      desired.set(moduleId, properties);
    }
  }
  for (const layer of layers) {
    statuses[layer.id] = { status: 'Applied' };
    for (const [moduleId, content] of Object.entries(modulesContent(layer)!)) {
      const target = desired.get(moduleId) ?? structuredClone(current(moduleId));
      for (const [key, value] of Object.entries(content)) {
        if (!key.startsWith(LAYER_PREFIX)) continue;
        const path = key.slice(LAYER_PREFIX.length).split('.');
        setPath(target, path, value);
        // A layer's module says which deployment put it there.
        if (moduleId === '$edgeAgent' && path.length === 2 && path[0] === 'modules') stampModule(target, path[1]!, layer.id);
      }
      desired.set(moduleId, target);
    }
  }
  return { desired, statuses };
}

/** Re-applies configurations to one device; returns true when any desired property changed. */
export function applyConfigurations(device: Device, configurations: Iterable<ConfigurationRecord>): boolean {
  const doc = device.twin.document();
  const matching = [...configurations].filter((c) => evaluateCondition(c.condition, doc));
  let changed = false;
  if (device.iotEdge) {
    const { desired, statuses } = resolveModules(matching, (id) => device.modules.get(id)?.twin.desired ?? {});
    for (const [moduleId, properties] of desired) {
      const module = device.modules.get(moduleId) ?? device.addModule(moduleId, { managedBy: 'iotEdge' });
      if (!isDeepStrictEqual(module.twin.desired, properties)) {
        module.twin.setDesired(properties);
        changed = true;
      }
    }
    const agent = device.modules.get('$edgeAgent');
    if (agent && !isDeepStrictEqual(agent.twin.configurations, statuses)) {
      agent.twin.configurations = statuses;
      agent.twin.touch();
    }
    setStatuses(device, statuses);
  }
  const deviceConfigs = matching.filter((c) => c.content.deviceContent).sort(byPrecedence);
  if (deviceConfigs.length) {
    const statuses: Record<string, { status: 'Targeted' | 'Applied' }> = {};
    const desired = structuredClone(device.twin.desired);
    for (const c of [...deviceConfigs].reverse()) {
      statuses[c.id] = { status: 'Applied' };
      for (const [key, value] of Object.entries(c.content.deviceContent as Json)) {
        if (key.startsWith(LAYER_PREFIX)) setPath(desired, key.slice(LAYER_PREFIX.length).split('.'), value);
      }
    }
    if (!isDeepStrictEqual(desired, device.twin.desired)) {
      device.twin.setDesired(desired);
      changed = true;
    }
    if (!device.iotEdge) setStatuses(device, statuses);
  }
  return changed;
}

function setStatuses(device: Device, statuses: Record<string, { status: 'Targeted' | 'Applied' }>): void {
  if (!isDeepStrictEqual(device.twin.configurations, statuses)) {
    device.twin.configurations = statuses;
    device.twin.touch();
  }
}

/** The queries IoT Hub itself uses for an IoT Edge deployment's system metrics. */
export function systemMetricQueries(c: ConfigurationRecord): Record<string, string> {
  const applied = `FROM devices.modules WHERE moduleId = '$edgeAgent' AND configurations.[[${c.id}]].status = 'Applied'`;
  const text = c.targetCondition.trim();
  const target = text === '*' ? '' : text ? ` AND (${text})` : ' AND false';
  return {
    targetedCount: `SELECT deviceId FROM devices WHERE capabilities.iotEdge = true${target}`,
    appliedCount: `SELECT deviceId ${applied}`,
    reportedSuccessfulCount: `SELECT deviceId ${applied} AND properties.desired.$version = properties.reported.lastDesiredVersion AND properties.reported.lastDesiredStatus.code = 200`,
    reportedFailedCount: `SELECT deviceId ${applied} AND properties.desired.$version = properties.reported.lastDesiredVersion AND properties.reported.lastDesiredStatus.code != 200`,
  };
}

/** Counts the rows a metric query returns; a query that does not parse counts as 0, as a broken metric does. */
export function countQuery(text: string, devices: () => Iterable<Json>, modules: (moduleId?: string) => Iterable<Json>): number {
  try {
    const query = parseQuery(text);
    const docs = query.from === 'devices' ? devices() : modules(requiredModuleId(query.where));
    return runQuery({ ...query, select: { kind: 'all' } }, docs).length;
  } catch {
    return 0;
  }
}

/** The module id a condition requires (`moduleId = 'x'` in its top-level AND chain), so a query can skip other modules. */
export function requiredModuleId(condition: Condition | undefined): string | undefined {
  if (!condition) return undefined;
  if (condition.kind === 'and') return requiredModuleId(condition.left) ?? requiredModuleId(condition.right);
  if (condition.kind === 'compare' && condition.op === '=') {
    const [path, value] = condition.left.kind === 'path' ? [condition.left, condition.right] : [condition.right, condition.left];
    if (path.kind === 'path' && path.segments.length === 1 && path.segments[0] === 'moduleId' && value.kind === 'value' && typeof value.value === 'string') {
      return value.value;
    }
  }
  return undefined;
}
