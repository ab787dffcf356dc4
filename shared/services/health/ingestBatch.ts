// The Event Hub trigger's batch (bodies plus per-event metadata arrays, as the
// Functions host hands them over) turned into positioned events for ingestion.
import type { EventInput } from '../../domain/health/healthEvents';
import { type IngestDeps, ingestHealth, type IngestReport, type PositionedEvent } from './ingestHealth';

const record = (value: unknown): Record<string, unknown> => (value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {});
const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);
/** A scalar as text; anything else is absent. */
const text = (...candidates: unknown[]): string | undefined => {
  for (const c of candidates) if (typeof c === 'string' || typeof c === 'number' || typeof c === 'bigint') return String(c);
  return undefined;
};

/** Bodies arrive parsed (JSON content), as text, or as bytes, depending on the host and the sender. */
function bodyOf(raw: unknown): unknown {
  const body = typeof raw === 'string' ? raw : raw instanceof Uint8Array ? Buffer.from(raw).toString('utf8') : undefined;
  if (body === undefined) return raw;
  try {
    return JSON.parse(body) as unknown;
  } catch {
    return body;
  }
}

export function positionedEvents(messages: readonly unknown[], metadata: Record<string, unknown>): PositionedEvent[] {
  const properties = list(metadata.propertiesArray);
  const systemProperties = list(metadata.systemPropertiesArray);
  const enqueued = list(metadata.enqueuedTimeUtcArray);
  const sequenceNumbers = list(metadata.sequenceNumberArray);
  const offsets = list(metadata.offsetArray);
  const partitionId = text(record(metadata.partitionContext).partitionId) ?? '';
  return messages.map((message, i) => {
    const system = record(systemProperties[i]);
    const input: EventInput = {
      body: bodyOf(message),
      properties: record(properties[i]),
      systemProperties: system,
      enqueuedTimeUtc: text(enqueued[i], system.enqueuedTimeUtc) ?? new Date(0).toISOString(),
    };
    return { ...input, partitionId, sequenceNumber: text(sequenceNumbers[i], system.sequenceNumber) ?? String(i), offset: text(offsets[i], system.offset) ?? '' };
  });
}

export function ingestBatch(deps: IngestDeps, messages: readonly unknown[], metadata: Record<string, unknown>): Promise<IngestReport> {
  return ingestHealth(deps, positionedEvents(messages, metadata));
}
