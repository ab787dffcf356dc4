// RFC 9457 problem details at the HTTP edge. Unknown errors become a plain 500
// that leaks nothing; the caller logs them.
import type { HttpResponseInit } from '@azure/functions';
import { z } from 'zod';
import { AppError, type FieldIssue, isAppError, toPointer } from '../errors';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** A 503 that names no wait of its own asks for this one (seconds): a client that retries 503s is told when. */
export const DEFAULT_RETRY_AFTER_SECONDS = 5;

/**
 * The problem document as a schema, for the OpenAPI description. Extension
 * members are allowed (RFC 9457, section 3.2); the ones this API sets are listed.
 */
export const problemSchema = z
  .looseObject({
    type: z.string(),
    title: z.string(),
    status: z.int(),
    detail: z.string(),
    instance: z.string().optional(),
    code: z.string().meta({ description: 'Stable machine-readable error code', example: 'ValidationFailed' }),
    errors: z
      .array(z.object({ pointer: z.string().meta({ description: 'JSON Pointer to the offending field', example: '/manifest/modules/web/image' }), detail: z.string(), code: z.string().optional() }))
      .optional(),
    providers: z.array(z.string()).optional().meta({ description: 'UnknownProvider: the registry webhook providers there are' }),
    accepted: z.array(z.string()).optional().meta({ description: 'UnsupportedMediaType: the media types accepted here' }),
    maxBytes: z.int().optional().meta({ description: 'ContentTooLarge: the body size limit' }),
  })
  .meta({ id: 'Problem', description: 'RFC 9457 problem details' });

export interface ProblemDocument {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance?: string;
  code: string;
  errors?: readonly FieldIssue[];
  [extension: string]: unknown;
}

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  412: 'Precondition Failed',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  428: 'Precondition Required',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
};

export function zodIssues(error: z.ZodError, pointerPrefix = ''): FieldIssue[] {
  return error.issues.map((issue) => ({
    pointer: toPointer(issue.path, pointerPrefix),
    detail: issue.message,
    code: issue.code,
  }));
}

/** A 400 AppError from a zod failure, each issue pointing at its field. */
export function validationError(error: z.ZodError, what = 'The request body', pointerPrefix = ''): AppError {
  const issues = zodIssues(error, pointerPrefix);
  const first = issues[0];
  const summary = first ? ` First problem at ${first.pointer || '/'}: ${first.detail}` : '';
  return new AppError('ValidationFailed', 400, `${what} is not valid.${summary}`, { issues, retryable: false });
}

export function toProblem(error: AppError, instance?: string): ProblemDocument {
  const doc: ProblemDocument = {
    ...error.extensions,
    type: `https://edge-fleet.dev/problems/${error.code}`,
    title: TITLES[error.status] ?? 'Error',
    status: error.status,
    detail: error.message,
    code: error.code,
  };
  if (instance) doc.instance = instance;
  if (error.issues.length) doc.errors = error.issues;
  return doc;
}

export function problemResponse(error: AppError, instance?: string): HttpResponseInit {
  const headers: Record<string, string> = { 'content-type': PROBLEM_CONTENT_TYPE };
  const retryAfter = error.retryAfterSeconds ?? (error.status === 503 ? DEFAULT_RETRY_AFTER_SECONDS : undefined);
  if (retryAfter !== undefined) headers['retry-after'] = String(Math.ceil(retryAfter));
  return { status: error.status, headers, body: JSON.stringify(toProblem(error, instance)) };
}

/**
 * Maps any thrown value to a response. Only AppErrors say anything specific;
 * the rest is an opaque 500 so nothing internal (or secret) leaks.
 */
export function errorResponse(error: unknown, instance?: string): HttpResponseInit {
  if (isAppError(error)) return problemResponse(error, instance);
  return problemResponse(
    new AppError('InternalError', 500, 'The server could not complete the request. It has been logged.'),
    instance,
  );
}
