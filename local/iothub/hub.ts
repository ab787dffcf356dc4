// One simulated IoT hub: its identities, twins, configurations, throttles and
// the continuous application of configurations to its devices.
import { randomBytes } from 'node:crypto';
import { type ConfigurationRecord, ConfigurationStore } from './configurations';
import { applyConfigurations, countQuery, systemMetricQueries } from './deployments';
import { Device } from './devices';
import { connectionStateEvent, type DeviceEventPublisher, lifecycleEvent, type RoutedEvent, twinChangeEvent } from './events';
import { hubErrors } from './hubError';
import { type HubLimits, TokenBucket } from './limits';
import { type AccessPolicy } from './sas';
import { diffPatch, type Json, type Twin } from './twin';

export interface HubDefinition {
  readonly name: string;
  /** The IoT Hub resource's name, what routed events carry (`user-id`, `hubName`); infra/ names hubs `iot-<token>-<name>`. */
  readonly resourceName?: string;
  readonly region: string;
  readonly labels: Record<string, string>;
  readonly hostName: string;
  readonly units: number;
  /** Key of the `iothubowner` policy; generated when absent. */
  readonly ownerKey?: string;
}

export interface HubFaults {
  /** 'refuse' closes the hub's port, 'unavailable' answers 503 to everything. */
  outage: 'none' | 'refuse' | 'unavailable';
  latencyMs: number;
  /**
   * Answers to requests of this method reach the client only after `ms`, the
   * request itself applied at once: the "applied, but the answer was lost or
   * late" case of a network between the caller and IoT Hub. `remaining`
   * counts down with each answer it delays.
   */
  slowAnswers?: { method: string; ms: number; remaining: number };
}

/** One request as the hub received it (before faults apply), for tests that count what reached the hub. */
export interface ReceivedRequest {
  readonly method: string;
  readonly path: string;
  readonly at: number;
}

export class SimulatedHub {
  readonly devices = new Map<string, Device>();
  readonly configurations: ConfigurationStore;
  readonly policies: AccessPolicy[];
  readonly faults: HubFaults = { outage: 'none', latencyMs: 0 };
  readonly configBucket: TokenBucket;
  readonly queryBucket: TokenBucket;
  /** Called when an IoT Edge device's `$edgeAgent` desired properties changed (the simulated agent reacts). */
  onEdgeDesiredChanged: (device: Device) => void = () => undefined;
  /** Called for every request on arrival, before any fault or auth applies. */
  onRequest: (request: ReceivedRequest) => void = () => undefined;
  private connectionSequence = 0n;

  constructor(
    readonly definition: HubDefinition,
    readonly limits: HubLimits,
    private readonly publisher: DeviceEventPublisher,
    now: () => number = Date.now,
  ) {
    const key = (_name: string) => randomBytes(32).toString('base64');
    this.policies = [
      { keyName: 'iothubowner', primaryKey: definition.ownerKey ?? key('owner'), secondaryKey: key('owner2') },
      { keyName: 'service', primaryKey: key('service'), secondaryKey: key('service2') },
      { keyName: 'registryReadWrite', primaryKey: key('rw'), secondaryKey: key('rw2') },
    ];
    this.configurations = new ConfigurationStore(() => limits.maxConfigurations);
    const perUnit = (perMinute: number) => ({ perMinute: perMinute * definition.units, capacity: limits.throttleBurst || perMinute * definition.units });
    this.configBucket = new TokenBucket(() => perUnit(limits.configOpsPerMinutePerUnit), now);
    this.queryBucket = new TokenBucket(() => perUnit(limits.queriesPerMinutePerUnit), now);
  }

  get name(): string {
    return this.definition.name;
  }

  /** The name IoT Hub puts on the events it routes. */
  get resourceName(): string {
    return this.definition.resourceName ?? this.definition.name;
  }

  private publishQuietly(events: RoutedEvent[], deviceId?: string): void {
    this.publisher.publish(events).catch((error: unknown) => {
      console.error(JSON.stringify({ event: 'iothub-sim-publish-failed', hub: this.name, ...(deviceId ? { deviceId } : {}), error: String(error) }));
    });
  }

  connectionString(policy = 'iothubowner'): string {
    const p = this.policies.find((candidate) => candidate.keyName === policy)!;
    return `HostName=${this.definition.hostName};SharedAccessKeyName=${p.keyName};SharedAccessKey=${p.primaryKey}`;
  }

  device(id: string): Device {
    const device = this.devices.get(id);
    if (!device) throw hubErrors.deviceNotFound(id);
    return device;
  }

  createDevice(id: string, body: Json): Device {
    if (this.devices.has(id)) throw hubErrors.deviceExists(id);
    if (!/^[A-Za-z0-9\-.%_*?!(),:=@$']{1,128}$/.test(id)) throw hubErrors.badRequest(`Device id '${id}' is not valid.`);
    const device = new Device(id, body, this.limits.maxDesiredBytes);
    this.devices.set(id, device);
    // Lifecycle notifications: the device, then the system modules IoT Hub makes with an IoT Edge device.
    this.publishQuietly([
      lifecycleEvent({ hubName: this.resourceName, deviceId: id }, true, device.twin.document()),
      ...[...device.modules.values()].map((m) => lifecycleEvent({ hubName: this.resourceName, deviceId: id, moduleId: m.moduleId }, true, m.twin.document())),
    ], id);
    this.reevaluate([device]);
    return device;
  }

  deleteDevice(id: string): void {
    const device = this.device(id);
    this.devices.delete(id);
    this.onDeviceDeleted(device);
    this.publishQuietly([lifecycleEvent({ hubName: this.resourceName, deviceId: id }, false, device.twin.document())], id);
  }

  /** Called when a device identity is deleted (its simulated agent stops). */
  onDeviceDeleted: (device: Device) => void = () => undefined;

  throttleConfigurations(): void {
    const result = this.configBucket.take();
    if (!result.ok) throw hubErrors.throttled(result.retryAfterSeconds);
  }

  throttleQueries(): void {
    const result = this.queryBucket.take();
    if (!result.ok) throw hubErrors.throttled(result.retryAfterSeconds);
  }

  /** Applies configurations to the given devices (all by default), synchronously so tests see the result at once. */
  reevaluate(devices: Iterable<Device> = this.devices.values()): void {
    const configurations = [...this.configurations.items.values()];
    const events: RoutedEvent[] = [];
    for (const device of devices) {
      const agent = device.iotEdge ? device.modules.get('$edgeAgent') : undefined;
      const before = agent && { desired: agent.twin.desired, desiredVersion: agent.twin.desiredVersion };
      if (applyConfigurations(device, configurations) && device.iotEdge) this.onEdgeDesiredChanged(device);
      const event = agent && before && this.agentChangedByConfiguration(device, agent.twin, before);
      if (event) events.push(event);
    }
    // The desired properties a configuration writes on the agent's twin are routed as a
    // twin change (a patch from the old desired properties to the new). Which configuration
    // did it (`configurations.<id>.status`) is kept on the twin but never routed.
    if (events.length) this.publishQuietly(events);
  }

  private agentChangedByConfiguration(device: Device, twin: Twin, before: { desired: Json; desiredVersion: number }): RoutedEvent | undefined {
    if (twin.desiredVersion === before.desiredVersion) return undefined;
    return twinChangeEvent(
      { hubName: this.resourceName, deviceId: device.deviceId, moduleId: '$edgeAgent' },
      twin.version,
      { properties: { desired: { ...diffPatch(before.desired, twin.desired), $metadata: { $lastUpdated: twin.desiredUpdated, $lastUpdatedVersion: twin.desiredVersion }, $version: twin.desiredVersion } } },
      'updateTwin',
    );
  }

  *deviceDocs(): Iterable<Json> {
    for (const device of this.devices.values()) yield device.twin.document();
  }

  /** Module twins; with `moduleId`, only that module of each device (IoT Edge metrics all ask for `$edgeAgent`). */
  moduleDocs(moduleId?: string): Json[] {
    const docs: Json[] = [];
    for (const device of this.devices.values()) {
      if (moduleId !== undefined) {
        const module = device.modules.get(moduleId);
        if (module) docs.push(module.twin.document());
      } else {
        for (const module of device.modules.values()) docs.push(module.twin.document());
      }
    }
    return docs;
  }

  metrics(record: ConfigurationRecord): {
    systemMetrics: { results: Record<string, number>; queries: Record<string, string> };
    results: Record<string, number>;
  } {
    const count = (text: string) => countQuery(text, () => this.deviceDocs(), (moduleId) => this.moduleDocs(moduleId));
    const queries = record.content.modulesContent ? systemMetricQueries(record) : {};
    const systemResults = Object.fromEntries(Object.entries(queries).map(([k, q]) => [k, count(q)]));
    const results = Object.fromEntries(Object.entries(record.metricQueries).map(([k, q]) => [k, count(q)]));
    return { systemMetrics: { results: systemResults, queries }, results };
  }

  /**
   * A device (its agent) reports properties: the twin takes the whole new
   * report, and the routed event carries only what changed (a patch), as
   * IoT Hub's twin change notifications do. Nothing changed: nothing routed.
   */
  async reportModule(device: Device, moduleId: string | undefined, reported: Json): Promise<void> {
    const twin = moduleId ? device.module(moduleId).twin : device.twin;
    const patch = diffPatch(twin.reported, reported);
    if (Object.keys(patch).length === 0) return;
    twin.setReported(reported);
    const source = { hubName: this.resourceName, deviceId: device.deviceId, ...(moduleId ? { moduleId } : {}) };
    await this.publisher.publish([twinChangeEvent(source, twin.version, { properties: { reported: { ...patch, $metadata: { $lastUpdated: twin.reportedUpdated }, $version: twin.reportedVersion } } }, 'updateTwin')]);
  }

  /** The service patched or replaced a twin (tags, desired): IoT Hub routes that as a twin change too. */
  twinChangedByService(device: Device, moduleId: string | undefined, body: Json, replace: boolean): void {
    const twin = moduleId ? device.module(moduleId).twin : device.twin;
    const desired = (body.properties as { desired?: Json } | undefined)?.desired;
    // replaceTwin carries the whole twin; updateTwin the changed sections only.
    const document = twin.document();
    const change = replace
      ? { deviceId: document.deviceId, ...(moduleId ? { moduleId } : {}), etag: document.etag, tags: document.tags, properties: document.properties }
      : { ...(body.tags !== undefined ? { tags: body.tags } : {}), properties: desired ? { desired: { ...desired, $version: twin.desiredVersion } } : {} };
    const source = { hubName: this.resourceName, deviceId: device.deviceId, ...(moduleId ? { moduleId } : {}) };
    this.publishQuietly([twinChangeEvent(source, twin.version, change, replace ? 'replaceTwin' : 'updateTwin')], device.deviceId);
  }

  /**
   * The device and its module identities connect or disconnect together (an
   * edge device's edgeHub and edgeAgent connect as modules): one connection
   * state event each, in order.
   */
  async setConnected(device: Device, connected: boolean): Promise<void> {
    if ((device.connectionState === 'Connected') === connected) return;
    device.setConnected(connected);
    const identities = [undefined, ...(device.iotEdge ? [...device.modules.keys()] : [])];
    // Modules go down before the device and come up after it.
    const ordered = connected ? identities : [...identities].reverse();
    const events = ordered.map((moduleId) => connectionStateEvent({ hubName: this.resourceName, deviceId: device.deviceId, ...(moduleId ? { moduleId } : {}) }, connected, ++this.connectionSequence));
    await this.publisher.publish(events);
  }

  /** One module identity connects or disconnects on its own (edgeHub restarting, say). */
  async setModuleConnected(device: Device, moduleId: string, connected: boolean): Promise<void> {
    const module = device.module(moduleId);
    module.connectionState = connected ? 'Connected' : 'Disconnected';
    module.connectionStateUpdatedTime = new Date().toISOString();
    module.twin.invalidate();
    await this.publisher.publish([connectionStateEvent({ hubName: this.resourceName, deviceId: device.deviceId, moduleId }, connected, ++this.connectionSequence)]);
  }

  publish = (events: Parameters<DeviceEventPublisher['publish']>[0]) => this.publisher.publish(events);
}
