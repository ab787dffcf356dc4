// What the simulated hubs route to the health Event Hub, shaped like IoT Hub
// message routing (Microsoft Learn, "Azure IoT Hub non-telemetry event
// schemas": common system and application properties, then each category):
// twin change, connection state and lifecycle events, and the edge devices'
// heartbeat telemetry with the route's `hubName` enrichment ($iothubname,
// "Message enrichments for device-to-cloud IoT Hub messages"). `properties`
// are the application properties; `systemProperties` are what IoT Hub sets as
// AMQP message annotations (`iothub-*`, `user-id`, content type...). The hub
// name is the real IoT Hub's name (`iot-<token>-<name>`), as in Azure.

export interface RoutedEvent {
  readonly body: unknown;
  readonly properties: Record<string, string | number | boolean>;
  readonly systemProperties: Record<string, unknown>;
  /** IoT Hub routes with the device id as partition key, so one device's events stay in order. */
  readonly partitionKey: string;
}

export interface DeviceEventPublisher {
  publish(events: RoutedEvent[]): Promise<void>;
}

/** Keeps events in memory; tests read `events`, and can wait for one. */
export class InMemoryEventPublisher implements DeviceEventPublisher {
  readonly events: RoutedEvent[] = [];
  publish(events: RoutedEvent[]): Promise<void> {
    this.events.push(...events);
    return Promise.resolve();
  }
}

interface Source {
  readonly hubName: string;
  readonly deviceId: string;
  readonly moduleId?: string;
}

/** `iothub-connection-module-id` is set "only for module life cycle and twin events" (the schema's system properties table). */
function systemProperties(source: Source, messageSource: string, at: Date, withModule: boolean): Record<string, unknown> {
  return {
    'content-type': 'application/json',
    'content-encoding': 'utf-8',
    'correlation-id': Math.random().toString(16).slice(2, 14),
    'user-id': source.hubName,
    'iothub-connection-device-id': source.deviceId,
    ...(source.moduleId && withModule ? { 'iothub-connection-module-id': source.moduleId } : {}),
    'iothub-enqueuedtime': at.getTime(),
    'iothub-message-source': messageSource,
  };
}

function applicationProperties(source: Source, schema: string, opType: string, at: Date) {
  return {
    hubName: source.hubName,
    deviceId: source.deviceId,
    ...(source.moduleId ? { moduleId: source.moduleId } : {}),
    operationTimestamp: at.toISOString(),
    'iothub-message-schema': schema,
    opType,
  };
}

/**
 * Body as IoT Hub sends it: on updateTwin the twin version and the changed
 * `tags` / `properties.desired|reported` (a patch: null removes); on
 * replaceTwin the whole twin (deviceId, moduleId, etag, version, tags, properties).
 */
export function twinChangeEvent(
  source: Source,
  version: number,
  change: Record<string, unknown>,
  opType: 'updateTwin' | 'replaceTwin',
  at = new Date(),
): RoutedEvent {
  return {
    body: { version, ...change },
    properties: applicationProperties(source, 'twinChangeNotification', opType, at),
    systemProperties: systemProperties(source, 'twinChangeEvents', at, true),
    partitionKey: source.deviceId,
  };
}

/**
 * `sequenceNumber` orders connect/disconnect events (a fixed-width hex string,
 * as IoT Hub sends: 64 digits). Modules connect too: their events carry
 * `moduleId` as an application property.
 */
export function connectionStateEvent(source: Source, connected: boolean, sequence: bigint, at = new Date()): RoutedEvent {
  return {
    body: { sequenceNumber: sequence.toString(16).toUpperCase().padStart(64, '0') },
    properties: applicationProperties(source, 'deviceConnectionStateNotification', connected ? 'deviceConnected' : 'deviceDisconnected', at),
    systemProperties: systemProperties(source, 'deviceConnectionStateEvents', at, false),
    partitionKey: source.deviceId,
  };
}

/** createDeviceIdentity / deleteDeviceIdentity (and the module equivalents): the body is the twin. */
export function lifecycleEvent(source: Source, created: boolean, twin: unknown, at = new Date()): RoutedEvent {
  return {
    body: twin,
    properties: applicationProperties(source, 'deviceLifecycleNotification', created ? 'createDeviceIdentity' : 'deleteDeviceIdentity', at),
    systemProperties: systemProperties(source, 'deviceLifecycleEvents', at, true),
    partitionKey: source.deviceId,
  };
}

export interface Heartbeat {
  readonly type: 'heartbeat';
  readonly deviceId: string;
  readonly sentAtUtc: string;
  readonly modules: Record<string, string>;
}

/**
 * A device-to-cloud message from the device's edgeAgent, routed like
 * telemetry: IoT Hub stamps the connection's device and module ids and the
 * enqueued time (system properties a device cannot set); the route's
 * enrichment adds `hubName` ($iothubname). Telemetry has no `user-id` from the hub.
 */
export function heartbeatEvent(hubName: string, heartbeat: Heartbeat, at = new Date()): RoutedEvent {
  return {
    body: heartbeat,
    properties: { type: 'heartbeat', hubName },
    systemProperties: {
      'content-type': 'application/json',
      'content-encoding': 'utf-8',
      'iothub-connection-device-id': heartbeat.deviceId,
      'iothub-connection-module-id': '$edgeAgent',
      'iothub-connection-auth-method': '{"scope":"module","type":"sas","issuer":"iothub","acceptingIpFilterRule":null}',
      'iothub-connection-auth-generation-id': '638000000000000000',
      'iothub-enqueuedtime': at.getTime(),
      'iothub-message-source': 'Telemetry',
    },
    partitionKey: heartbeat.deviceId,
  };
}
