// Reading request bodies at the HTTP edge: a size limit checked against
// Content-Length before reading and while reading (413), the media types an
// endpoint accepts (415), parse errors as 400 problem+json, and the limits of
// domain/json/limits.ts (depth, number size, `__proto__`) on every parsed body,
// so every route gets them before any code walks the value.
import type { HttpRequest } from '@azure/functions';
import { type Document, parseAllDocuments, parseDocument } from 'yaml';
import { jsonLimitIssue } from '../domain/json/limits';
import { AppError, badRequest } from '../errors';

export type MediaKind = 'json' | 'yaml' | 'merge-patch';

const MEDIA: Record<string, MediaKind> = {
  'application/json': 'json',
  'text/json': 'json',
  'application/merge-patch+json': 'merge-patch',
  'application/yaml': 'yaml',
  'application/x-yaml': 'yaml',
  'text/yaml': 'yaml',
  'text/x-yaml': 'yaml',
};

/** YAML aliases expanded per document at most: a billion-laughs body stops here with a 400. */
export const MAX_YAML_ALIASES = 50;

export function mediaKind(request: HttpRequest, accepted: readonly MediaKind[]): MediaKind {
  const raw = request.headers.get('content-type');
  const type = (raw ?? 'application/json').split(';')[0]!.trim().toLowerCase();
  const kind = MEDIA[type];
  if (!kind || !accepted.includes(kind)) {
    const list = Object.entries(MEDIA).filter(([, k]) => accepted.includes(k)).map(([t]) => t);
    throw new AppError('UnsupportedMediaType', 415, `Content-Type '${type}' is not accepted here; use one of: ${list.join(', ')}`, {
      retryable: false,
      extensions: { accepted: list },
    });
  }
  return kind;
}

export async function readBody(request: HttpRequest, maxBytes: number): Promise<Buffer> {
  const declared = Number(request.headers.get('content-length'));
  const tooLarge = () =>
    new AppError('ContentTooLarge', 413, `the request body is larger than the limit of ${maxBytes} bytes`, { retryable: false, extensions: { maxBytes } });
  if (Number.isFinite(declared) && declared > maxBytes) throw tooLarge();
  if (!request.body) return Buffer.alloc(0);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request.body as AsyncIterable<Uint8Array>) {
    size += chunk.length;
    if (size > maxBytes) throw tooLarge();
    chunks.push(Buffer.from(chunk));
  }
  return Buffer.concat(chunks);
}

/** A 400 when a parsed value breaks the body limits (too deep, a number too large, a `__proto__` key). */
export function assertWithinLimits(value: unknown, what = 'The request body'): void {
  const issue = jsonLimitIssue(value);
  if (issue) throw badRequest(`${what} is outside the limits this API accepts: ${issue.pointer || '/'} ${issue.detail}.`, [issue], 'BodyLimitExceeded');
}

function parseYaml(text: string): unknown {
  const doc = parseDocument(text, { prettyErrors: false, uniqueKeys: true });
  const error = doc.errors[0];
  if (error) {
    const at = error.linePos?.[0];
    throw badRequest(`the YAML body is malformed${at ? ` at line ${at.line}, column ${at.col}` : ''}: ${error.message.split('\n')[0]}`, [], 'MalformedBody');
  }
  return yamlValue(doc);
}

function yamlValue(doc: Document): unknown {
  try {
    return doc.toJS({ maxAliasCount: MAX_YAML_ALIASES }) as unknown;
  } catch (error) {
    // The yaml library stops alias expansion (billion laughs, `<<` merge bombs) with a ReferenceError.
    throw badRequest(`the YAML body expands too far: ${(error as Error).message.split('\n')[0]}`, [{ pointer: '', detail: `at most ${MAX_YAML_ALIASES} alias expansions`, code: 'too_many_aliases' }], 'BodyLimitExceeded');
  }
}

/** Parses a JSON or YAML body within the limits; the error points at the line and column when the text is broken. */
export function parseBody(bytes: Buffer, kind: MediaKind): unknown {
  const text = bytes.toString('utf8');
  if (!text.trim()) throw badRequest('the request body is empty', [{ pointer: '', detail: 'a body is required' }], 'EmptyBody');
  let value: unknown;
  if (kind === 'yaml') value = parseYaml(text);
  else {
    try {
      value = JSON.parse(text) as unknown;
    } catch (error) {
      throw badRequest(`the JSON body is malformed: ${(error as Error).message}`, [], 'MalformedBody');
    }
  }
  assertWithinLimits(value);
  return value;
}

/**
 * For bodies the domain parses itself from text (POST and PUT of deployments):
 * the same limits, checked here first. Text that does not parse is left for the
 * domain to report with its own messages; this only adds refusals.
 */
export function assertTextWithinLimits(bytes: Buffer, contentType: string | null): void {
  const type = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  const text = bytes.toString('utf8');
  if (!text.trim()) return;
  if (MEDIA[type] === 'yaml') {
    for (const doc of parseAllDocuments(text, { prettyErrors: false, uniqueKeys: true })) {
      if (doc.errors.length === 0) assertWithinLimits(yamlValue(doc));
    }
    return;
  }
  let value: unknown;
  try {
    value = JSON.parse(text) as unknown;
  } catch {
    return;
  }
  assertWithinLimits(value);
}

export async function readParsedBody(request: HttpRequest, accepted: readonly MediaKind[], maxBytes: number): Promise<{ kind: MediaKind; value: unknown }> {
  const kind = mediaKind(request, accepted);
  const value = parseBody(await readBody(request, maxBytes), kind);
  return { kind, value };
}
