// Small helpers shared by the HTTP functions: JSON responses and one place
// where errors become problem+json (and unknown ones get logged, not leaked).
import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { isAppError } from '../errors';
import { errorResponse } from './problem';

export function json(status: number, body: unknown, headers: Record<string, string> = {}): HttpResponseInit {
  return { status, headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) };
}

/** Wraps a handler so any failure becomes problem+json; only unexpected ones are logged as errors. */
export function withProblems(
  handler: (request: HttpRequest, context: InvocationContext) => Promise<HttpResponseInit>,
): (request: HttpRequest, context: InvocationContext) => Promise<HttpResponseInit> {
  return async (request, context) => {
    try {
      return await handler(request, context);
    } catch (error) {
      if (!isAppError(error) || error.status >= 500) {
        context.error(JSON.stringify({ event: 'request.failed', invocationId: context.invocationId, url: new URL(request.url).pathname, error: error instanceof Error ? error.stack : String(error) }));
      }
      return errorResponse(error, new URL(request.url).pathname);
    }
  };
}
