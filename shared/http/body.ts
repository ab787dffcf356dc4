// Reading request bodies at the HTTP edge: a size limit checked against
// Content-Length before reading and while reading (413), the media types an
// endpoint accepts (415), and parse errors as 400 problem+json.
import type { HttpRequest } from '@azure/functions';
import { parseDocument } from 'yaml';
import { AppError, badRequest } from '../errors';

export type MediaKind = 'json' | 'yaml' | 'merge-patch';

const MEDIA: Record<string, MediaKind> = {
  'application/json': 'json',
  'text/json': 'json',
  'application/merge-patch+json': 'merge-patch',
  'application/yaml': 'yaml',
  'application/x-yaml': 'yaml',
  'text/yaml': 'yaml',
};

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

/** Parses a JSON or YAML body; the error points at the line and column when the text is broken. */
export function parseBody(bytes: Buffer, kind: MediaKind): unknown {
  const text = bytes.toString('utf8');
  if (!text.trim()) throw badRequest('the request body is empty', [{ pointer: '', detail: 'a body is required' }], 'EmptyBody');
  if (kind === 'yaml') {
    const doc = parseDocument(text, { prettyErrors: false, uniqueKeys: true });
    const error = doc.errors[0];
    if (error) {
      const at = error.linePos?.[0];
      throw badRequest(`the YAML body is malformed${at ? ` at line ${at.line}, column ${at.col}` : ''}: ${error.message.split('\n')[0]}`, [], 'MalformedBody');
    }
    return doc.toJS() as unknown;
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw badRequest(`the JSON body is malformed: ${(error as Error).message}`, [], 'MalformedBody');
  }
}

export async function readParsedBody(request: HttpRequest, accepted: readonly MediaKind[], maxBytes: number): Promise<{ kind: MediaKind; value: unknown }> {
  const kind = mediaKind(request, accepted);
  const value = parseBody(await readBody(request, maxBytes), kind);
  return { kind, value };
}
