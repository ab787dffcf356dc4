// Recorded-shape routed events (test/fixtures/health/*.json), re-addressed to
// any device, hub, twin version or time, as the Event Hub trigger delivers them.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PositionedEvent } from '../../shared/services/health/ingestHealth';
import { hubDirectory } from '../../shared/domain/health/hubDirectory';
import { projectRoot } from './fixtureApp';

export type HealthFixture =
  | 'twin-change-edgeagent-reported'
  | 'twin-change-edgeagent-desired'
  | 'twin-change-reported-patch'
  | 'twin-change-system-module-failed'
  | 'twin-replace-edgeagent'
  | 'connection-connected'
  | 'connection-disconnected'
  | 'connection-module-connected'
  | 'connection-module-disconnected'
  | 'lifecycle-create-device'
  | 'lifecycle-delete-device'
  | 'heartbeat'
  | 'heartbeat-spoofed'
  | 'heartbeat-ancient-clock'
  | 'poison-twin-change';

/** Hubs the fixtures are addressed to in tests of the store (each is its own configured name). */
export const fixtureHubs = hubDirectory(['weu-hub', 'weu', 'eus', 'sea'].map((name) => ({ name, connection: `${name}.azure-devices.net` })));

/** The desired-properties patch a configuration writes: its id stamped on every module, as IoT Hub does. */
export function stampConfiguration(body: Record<string, unknown>, configurationId: string): void {
  const desired = (body.properties as { desired?: Record<string, Record<string, Record<string, unknown>>> } | undefined)?.desired;
  for (const section of ['systemModules', 'modules']) for (const m of Object.values(desired?.[section] ?? {})) m.configuration = { id: configurationId };
}

interface FixtureFile {
  properties: Record<string, unknown>;
  systemProperties: Record<string, unknown>;
  enqueuedTimeUtc: string;
  body: Record<string, unknown>;
}

const cache = new Map<string, FixtureFile>();
const load = (name: HealthFixture) => {
  let file = cache.get(name);
  if (!file) cache.set(name, (file = JSON.parse(readFileSync(join(projectRoot, 'test', 'fixtures', 'health', `${name}.json`), 'utf8')) as FixtureFile));
  return structuredClone(file);
};

export interface Readdress {
  readonly hub?: string;
  readonly deviceId?: string;
  /** Twin version (twin changes) or connection sequence (connection events). */
  readonly version?: number;
  readonly at?: string;
  readonly position?: number;
  readonly partitionId?: string;
  /** Changes to the body after re-addressing. */
  readonly body?: (body: Record<string, unknown>) => void;
}

let positions = 0;

export function healthEvent(name: HealthFixture, options: Readdress = {}): PositionedEvent {
  const file = load(name);
  const hub = options.hub ?? 'weu-hub';
  const deviceId = options.deviceId ?? 'edge-0001';
  if ('hubName' in file.properties) file.properties.hubName = hub;
  if ('deviceId' in file.properties) file.properties.deviceId = deviceId;
  if ('user-id' in file.systemProperties) file.systemProperties['user-id'] = hub;
  file.systemProperties['iothub-connection-device-id'] = deviceId;
  if (typeof file.body.deviceId === 'string' && name !== 'heartbeat-spoofed') file.body.deviceId = deviceId;
  if (options.at) {
    if ('operationTimestamp' in file.properties) file.properties.operationTimestamp = options.at;
    if ('iothub-enqueuedtime' in file.systemProperties) file.systemProperties['iothub-enqueuedtime'] = Date.parse(options.at);
    file.enqueuedTimeUtc = options.at;
    if (name === 'heartbeat') file.body.sentAtUtc = options.at;
  }
  if (options.version !== undefined) {
    if (name.startsWith('connection')) file.body.sequenceNumber = options.version.toString(16).toUpperCase().padStart(64, '0');
    else file.body.version = options.version;
  }
  options.body?.(file.body);
  const position = options.position ?? positions++;
  return {
    body: file.body,
    properties: file.properties,
    systemProperties: file.systemProperties,
    enqueuedTimeUtc: file.enqueuedTimeUtc,
    partitionId: options.partitionId ?? '0',
    sequenceNumber: String(position),
    offset: String(position * 512),
  };
}

/**
 * A device given one `web` module (nginx:1.25) by `configurationId` and reporting it running:
 * the documented desired change at `desiredAt`, then edgeAgent's reported patch at `reportedAt`.
 */
export function rolledOutWeb(hub: string, deviceId: string, configurationId: string, desiredAt: string, reportedAt: string): PositionedEvent[] {
  return [
    healthEvent('twin-change-edgeagent-desired', {
      hub,
      deviceId,
      version: 2,
      at: desiredAt,
      body: (b) => {
        stampConfiguration(b, configurationId);
        (b.properties as { desired: { modules: unknown } }).desired.modules = { web: { status: 'running', settings: { image: 'nginx:1.25' } } };
      },
    }),
    healthEvent('twin-change-edgeagent-reported', {
      hub,
      deviceId,
      version: 3,
      at: reportedAt,
      body: (b) => Object.assign((b.properties as { reported: Record<string, unknown> }).reported, { modules: { web: { runtimeStatus: 'running', settings: { image: 'nginx:1.25' } } } }),
    }),
  ];
}
