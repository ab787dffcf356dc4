// One simulated IoT hub: its identities, twins, configurations, throttles and
// the continuous application of configurations to its devices.
import { randomBytes } from 'node:crypto';
import { type ConfigurationRecord, ConfigurationStore } from './configurations';
import { applyConfigurations, countQuery, systemMetricQueries } from './deployments';
import { Device } from './devices';
import { connectionStateEvent, type DeviceEventPublisher, type RoutedEvent, twinChangeEvent } from './events';
import { hubErrors } from './hubError';
import { type HubLimits, TokenBucket } from './limits';
import { type AccessPolicy } from './sas';
import { type Json, type Twin } from './twin';

export interface HubDefinition {
  readonly name: string;
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
    this.reevaluate([device]);
    return device;
  }

  deleteDevice(id: string): void {
    this.device(id);
    this.devices.delete(id);
  }

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
      const before = agent && { configurations: agent.twin.configurations, desiredVersion: agent.twin.desiredVersion };
      if (applyConfigurations(device, configurations) && device.iotEdge) this.onEdgeDesiredChanged(device);
      const event = agent && before && this.agentChangedByConfiguration(device, agent.twin, before);
      if (event) events.push(event);
    }
    // What the hub itself changed on the agent's twin is routed as a twin change too:
    // which configuration is applied, and the desired properties it brought.
    if (events.length) {
      this.publisher.publish(events).catch((error: unknown) => {
        console.error(JSON.stringify({ event: 'iothub-sim-publish-failed', hub: this.name, error: String(error) }));
      });
    }
  }

  private agentChangedByConfiguration(device: Device, twin: Twin, before: { configurations: Twin['configurations']; desiredVersion: number }): RoutedEvent | undefined {
    const configurations: Record<string, { status: string } | null> = {};
    for (const [id, status] of Object.entries(twin.configurations)) if (before.configurations[id]?.status !== status.status) configurations[id] = status;
    for (const id of Object.keys(before.configurations)) if (!(id in twin.configurations)) configurations[id] = null;
    const desiredChanged = twin.desiredVersion !== before.desiredVersion;
    if (!desiredChanged && Object.keys(configurations).length === 0) return undefined;
    return twinChangeEvent(
      { hubName: this.name, deviceId: device.deviceId, moduleId: '$edgeAgent' },
      twin.version,
      { ...(Object.keys(configurations).length ? { configurations } : {}), properties: desiredChanged ? { desired: { ...twin.desired, $version: twin.desiredVersion } } : {} },
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

  /** A device (its agent) reports properties; publishes the twin change event like IoT Hub routing does. */
  async reportModule(device: Device, moduleId: string | undefined, patch: Json, reported: Json): Promise<void> {
    const twin = moduleId ? device.module(moduleId).twin : device.twin;
    twin.setReported(reported);
    const source = { hubName: this.name, deviceId: device.deviceId, ...(moduleId ? { moduleId } : {}) };
    await this.publisher.publish([twinChangeEvent(source, twin.version, { properties: { reported: { ...patch, $version: twin.reportedVersion } } }, 'updateTwin')]);
  }

  /** The service patched or replaced a twin (tags, desired): IoT Hub routes that as a twin change too. */
  twinChangedByService(device: Device, moduleId: string | undefined, body: Json, replace: boolean): void {
    const twin = moduleId ? device.module(moduleId).twin : device.twin;
    const desired = (body.properties as { desired?: Json } | undefined)?.desired;
    const change = {
      ...(body.tags !== undefined ? { tags: body.tags } : {}),
      properties: desired ? { desired: { ...desired, $version: twin.desiredVersion } } : {},
    };
    const source = { hubName: this.name, deviceId: device.deviceId, ...(moduleId ? { moduleId } : {}) };
    this.publisher.publish([twinChangeEvent(source, twin.version, change, replace ? 'replaceTwin' : 'updateTwin')]).catch((error: unknown) => {
      console.error(JSON.stringify({ event: 'iothub-sim-publish-failed', hub: this.name, deviceId: device.deviceId, error: String(error) }));
    });
  }

  async setConnected(device: Device, connected: boolean): Promise<void> {
    if ((device.connectionState === 'Connected') === connected) return;
    device.setConnected(connected);
    this.connectionSequence++;
    await this.publisher.publish([connectionStateEvent({ hubName: this.name, deviceId: device.deviceId }, connected, this.connectionSequence)]);
  }

  publish = (events: Parameters<DeviceEventPublisher['publish']>[0]) => this.publisher.publish(events);
}
