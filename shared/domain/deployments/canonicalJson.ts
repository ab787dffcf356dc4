// IoT Hub configuration content is immutable and "create an existing
// configuration" succeeds only when the content matches, so the same input must
// always produce byte-identical content: every object gets sorted keys.

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

export const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** A deep copy with object keys in code-point order (arrays keep their order: it is meaningful). */
export function canonicalize<T>(value: T): T {
  if (Array.isArray(value)) return value.map((v: unknown) => canonicalize(v)) as T;
  if (!isPlainObject(value)) return value;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort(compareKeys)) {
    const v = value[key];
    if (v !== undefined) out[key] = canonicalize(v);
  }
  return out as T;
}

/**
 * JSON with sorted keys at every level. JSON.stringify alone is not enough:
 * integer-like keys ("1") come first in JS objects whatever the insertion order,
 * so this writes the members itself.
 */
export function canonicalStringify(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((v) => canonicalStringify(v ?? null)).join(',')}]`;
  if (isPlainObject(value)) {
    const members = Object.keys(value)
      .sort(compareKeys)
      .filter((k) => value[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonicalStringify(value[k])}`);
    return `{${members.join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

function compareKeys(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
