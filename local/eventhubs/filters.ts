// Where a receiver starts, from the selector filter the SDK attaches
// ("amqp.annotation.x-opt-offset > '-1'", "... x-opt-sequence-number >= '42'",
// "... x-opt-enqueued-time > '1700000000000'", "... > '@latest'").
import type { StoredEvent } from './partitionStore';

export type StartPosition =
  | { readonly kind: 'latest' }
  | { readonly kind: 'match'; readonly describe: string; readonly matches: (e: StoredEvent) => boolean };

const SELECTOR = /^amqp\.annotation\.x-opt-(offset|sequence-number|enqueued-time)\s*(>=|>)\s*'([^']*)'$/;

export function parseSelector(expression: string | undefined): StartPosition | { readonly error: string } {
  // No filter: Event Hubs starts at the end of the stream, like the SDK's default.
  if (!expression) return { kind: 'latest' };
  const match = SELECTOR.exec(expression.trim());
  if (!match) return { error: `unsupported selector filter: ${expression}` };
  const [, field, op, value] = match as unknown as [string, string, string, string];
  if (field === 'offset' && value === '@latest') return { kind: 'latest' };
  const n = Number(value);
  if (!Number.isFinite(n)) return { error: `selector value '${value}' is not a number` };
  const inclusive = op === '>=';
  const get = (e: StoredEvent) => (field === 'enqueued-time' ? e.enqueuedTime : e.sequenceNumber);
  return { kind: 'match', describe: expression, matches: (e) => (inclusive ? get(e) >= n : get(e) > n) };
}

/** The selector string out of the SDK's filter map (values are AMQP described types). */
export function selectorFrom(filter: unknown): string | undefined {
  if (!filter || typeof filter !== 'object') return undefined;
  for (const value of Object.values(filter as Record<string, unknown>)) {
    let v: unknown = value;
    // Unwrap rhea's typed/described wrappers down to the string.
    for (let depth = 0; depth < 4 && v && typeof v === 'object' && 'value' in v; depth++) v = (v).value;
    if (typeof v === 'string') return v;
  }
  return undefined;
}
