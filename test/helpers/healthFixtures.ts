// Recorded-shape routed events (test/fixtures/health/*.json), re-addressed to
// any device, hub, twin version or time, as the Event Hub trigger delivers them.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PositionedEvent } from '../../shared/services/health/ingestHealth';
import { projectRoot } from './fixtureApp';

export type HealthFixture = 'twin-change-edgeagent-reported' | 'twin-change-edgeagent-desired' | 'connection-connected' | 'connection-disconnected' | 'heartbeat' | 'poison-twin-change';

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
  file.systemProperties['iothub-connection-device-id'] = deviceId;
  if (options.at) {
    if ('operationTimestamp' in file.properties) file.properties.operationTimestamp = options.at;
    file.enqueuedTimeUtc = options.at;
  }
  if (name === 'heartbeat') Object.assign(file.body, { hubName: hub, deviceId, ...(options.at ? { sentAtUtc: options.at } : {}) });
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
