// Table properties hold at most 64 KiB (32K UTF-16 characters), an entity 1 MiB.
// Larger JSON (deployment manifests) is split over numbered properties.
import { AppError } from '../../errors';

const CHUNK_CHARS = 30000;
/** Leaves room in the 1 MiB entity for the other properties. */
const MAX_CHUNKS = 14;

export function writeChunked(name: string, value: unknown): Record<string, string | number> {
  const text = JSON.stringify(value);
  const chunks = Math.max(1, Math.ceil(text.length / CHUNK_CHARS));
  if (chunks > MAX_CHUNKS) {
    throw new AppError('DeploymentTooLarge', 413, `the ${name} is ${text.length} characters of JSON; at most ${CHUNK_CHARS * MAX_CHUNKS} can be stored`, { retryable: false });
  }
  const out: Record<string, string | number> = { [`${name}Chunks`]: chunks };
  for (let i = 0; i < chunks; i++) out[`${name}${i}`] = text.slice(i * CHUNK_CHARS, (i + 1) * CHUNK_CHARS);
  return out;
}

export function readChunked<T>(name: string, entity: Record<string, unknown>): T {
  const chunks = Number(entity[`${name}Chunks`] ?? 0);
  let text = '';
  for (let i = 0; i < chunks; i++) text += textProperty(entity[`${name}${i}`]);
  return JSON.parse(text) as T;
}

/** A string-typed table property, '' when absent (rows are read as untyped records). */
export function textProperty(value: unknown): string {
  return typeof value === 'string' ? value : value === undefined || value === null ? '' : JSON.stringify(value);
}
