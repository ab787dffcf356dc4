// A module twin property value holds at most 512 characters, so edgeAgent reads
// `createOptions` as consecutive chunks createOptions, createOptions01, ...,
// createOptions99 (iotedge edge-agent Docker/Constants.cs: TwinValueMaxSize=512,
// TwinValueMaxChunks=100).
import { canonicalStringify, isPlainObject } from './canonicalJson';

export const CREATE_OPTIONS_CHUNK_SIZE = 512;
export const CREATE_OPTIONS_MAX_CHUNKS = 100;

const chunkKey = (i: number): string => (i === 0 ? 'createOptions' : `createOptions${String(i).padStart(2, '0')}`);
export const CHUNK_KEY = /^createOptions(\d{2})?$/;

/** The Docker create options as one canonical JSON text (sorted keys), whatever form they arrived in. */
export function canonicalCreateOptions(value: string | Record<string, unknown> | undefined): string {
  if (value === undefined) return '{}';
  return canonicalStringify(typeof value === 'string' ? (JSON.parse(value) as unknown) : value);
}

/** Why `value` is not usable as create options, or undefined when it is. */
export function createOptionsProblem(value: unknown): string | undefined {
  if (isPlainObject(value)) return undefined;
  if (typeof value !== 'string') return 'must be a JSON object or a string holding one';
  try {
    return isPlainObject(JSON.parse(value)) ? undefined : 'must hold a JSON object';
  } catch (e) {
    return `is not valid JSON (${(e as Error).message})`;
  }
}

/**
 * Splits create options text into the settings keys edgeAgent reassembles.
 * Never refuses: the 100-chunk cap is a limit check (limits.ts) with a pointer.
 */
export function chunkCreateOptions(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  if (text.length === 0) return { createOptions: '' };
  for (let i = 0; i * CREATE_OPTIONS_CHUNK_SIZE < text.length; i++) {
    out[chunkKey(i)] = text.slice(i * CREATE_OPTIONS_CHUNK_SIZE, (i + 1) * CREATE_OPTIONS_CHUNK_SIZE);
  }
  return out;
}

/**
 * Inverse of `chunkCreateOptions`: the full text from a module's settings, or a
 * reason when the chunks are not consecutive (edgeAgent would silently stop at a gap).
 */
export function joinCreateOptions(settings: Readonly<Record<string, unknown>>): { text: string } | { error: string; key: string } {
  const indices = Object.keys(settings)
    .map((k) => CHUNK_KEY.exec(k))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => (m[1] === undefined ? 0 : Number(m[1])))
    .sort((a, b) => a - b);
  let text = '';
  for (const [expected, index] of indices.entries()) {
    const key = chunkKey(index);
    if (index !== expected) return { error: `chunk ${key} follows a missing ${chunkKey(expected)}`, key };
    const part = settings[key];
    if (typeof part !== 'string') return { error: 'create options chunks must be strings', key };
    text += part;
  }
  return { text: indices.length ? text : '{}' };
}

/** Counts every chunk key, including ones past the two-digit range edgeAgent reads. */
export function chunkCount(settings: Readonly<Record<string, unknown>>): number {
  return Object.keys(settings).filter((k) => /^createOptions\d*$/.test(k)).length;
}
