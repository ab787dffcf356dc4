// Dead letters of health ingestion: the events it could not use (malformed, or
// a device whose write storage refuses every time), kept for
// DEAD_LETTER_TTL_DAYS so an operator can see what was dropped and why; the
// reconciler's row-TTL step deletes them afterwards. A routed event can carry
// secrets (an $edgeAgent desired twin holds registry credentials), so what is
// kept is redacted before it is stored, and therefore before it is ever served.
import { z } from 'zod';
import type { DeadLetter, HealthStore } from './healthStore';

export const deadLetterViewSchema = z
  .object({
    partitionId: z.string().meta({ description: 'Event Hub partition the event came from' }),
    sequenceNumber: z.string().meta({ description: 'Its sequence number in that partition' }),
    offset: z.string(),
    enqueuedTimeUtc: z.string(),
    reason: z.string().meta({ description: 'Why it was not used' }),
    body: z.string().meta({ description: 'The event body as JSON, truncated, with secret-looking values redacted' }),
    properties: z.string().meta({ description: 'Application and system properties as JSON, truncated and redacted' }),
    expiresAt: z.string().meta({ description: 'When it is deleted' }),
  })
  .meta({ id: 'HealthDeadLetter' });
export type DeadLetterView = z.infer<typeof deadLetterViewSchema>;

/** Keeps a dead letter small enough for one table property. */
const MAX_CHARS = 8000;
const SECRET_KEY = /pass(word)?|secret|token|sharedaccesskey|credential|sig$/i;
const REDACTED = '[redacted]';

function redactValue(value: unknown, depth = 0): unknown {
  if (depth > 32 || value === null || typeof value !== 'object') return typeof value === 'string' ? redactText(value) : value;
  if (Array.isArray(value)) return value.map((v) => redactValue(v, depth + 1));
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, SECRET_KEY.test(k) ? REDACTED : redactValue(v, depth + 1)]));
}

/** Text that is not JSON (or a string inside it) may still hold a connection string or a quoted password. */
const redactText = (text: string) =>
  text.replace(/(SharedAccessKey|SharedAccessSignature|AccountKey|sig)=[^;&"\s]*/gi, `$1=${REDACTED}`).replace(/("[^"]*(?:pass|secret|token)[^"]*"\s*:\s*)"[^"]*"/gi, `$1"${REDACTED}"`);

/** The JSON kept for a dead letter: secrets redacted, then truncated. */
export function deadLetterText(value: unknown): string {
  const text = typeof value === 'string' ? redactText(value) : (JSON.stringify(redactValue(value)) ?? String(value));
  return text.length > MAX_CHARS ? `${text.slice(0, MAX_CHARS)}…(${text.length} chars)` : text;
}

export interface DeadLetterPage {
  readonly items: DeadLetterView[];
  readonly continuationToken?: string;
}

export async function listDeadLetters(store: HealthStore, options: { now: Date; pageSize: number; continuationToken?: string }): Promise<DeadLetterPage> {
  const page = await store.pageDeadLetters(options);
  return { items: page.items.map((d: DeadLetter) => ({ ...d })), ...(page.continuationToken ? { continuationToken: page.continuationToken } : {}) };
}
