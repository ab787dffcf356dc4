// What the simulated hubs route to the health Event Hub, shaped like IoT Hub
// message routing: twin change and connection state events (non-telemetry
// event schema) and the edge devices' heartbeat telemetry. `properties` are
// the application properties; `systemProperties` are what IoT Hub sets as
// system properties / AMQP message annotations (`iothub-*`, content type...).

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

function systemProperties(source: Source, messageSource: string, at: Date): Record<string, unknown> {
  return {
    'content-type': 'application/json',
    'content-encoding': 'utf-8',
    'correlation-id': Math.random().toString(16).slice(2, 14),
    'user-id': source.hubName,
    'iothub-connection-device-id': source.deviceId,
    ...(source.moduleId ? { 'iothub-connection-module-id': source.moduleId } : {}),
    'iothub-connection-auth-method': '{"scope":"hub","type":"sas","issuer":"iothub"}',
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

/** Body as IoT Hub sends it: the changed sections (`tags`, `properties.desired|reported`) with the twin version. */
export function twinChangeEvent(
  source: Source,
  version: number,
  change: { tags?: unknown; configurations?: unknown; properties: { reported?: unknown; desired?: unknown } },
  opType: 'updateTwin' | 'replaceTwin',
  at = new Date(),
): RoutedEvent {
  return {
    body: { version, ...change },
    properties: applicationProperties(source, 'twinChangeNotification', opType, at),
    systemProperties: systemProperties(source, 'twinChangeEvents', at),
    partitionKey: source.deviceId,
  };
}

/** `sequenceNumber` orders a device's connect/disconnect events (a fixed-width string, as IoT Hub sends). */
export function connectionStateEvent(source: Source, connected: boolean, sequence: bigint, at = new Date()): RoutedEvent {
  return {
    body: { sequenceNumber: sequence.toString(16).toUpperCase().padStart(40, '0') },
    properties: applicationProperties(source, 'deviceConnectionStateNotification', connected ? 'deviceConnected' : 'deviceDisconnected', at),
    systemProperties: systemProperties(source, 'deviceConnectionStateEvents', at),
    partitionKey: source.deviceId,
  };
}

export interface Heartbeat {
  readonly type: 'heartbeat';
  readonly deviceId: string;
  readonly hubName: string;
  readonly sentAtUtc: string;
  readonly modules: Record<string, string>;
}

/** A device-to-cloud message from the device's edgeAgent, routed like telemetry. */
export function heartbeatEvent(heartbeat: Heartbeat, at = new Date()): RoutedEvent {
  const source = { hubName: heartbeat.hubName, deviceId: heartbeat.deviceId, moduleId: '$edgeAgent' };
  return {
    body: heartbeat,
    properties: { type: 'heartbeat' },
    systemProperties: systemProperties(source, 'Telemetry', at),
    partitionKey: heartbeat.deviceId,
  };
}
