// Parsing user input yields a value or an AppError, never a throw, so the HTTP
// layer maps both outcomes without try/catch around domain code.
import { type AppError, badRequest, type FieldIssue } from '../../errors';

export type Result<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: AppError };

export const ok = <T>(value: T): Result<T> => ({ ok: true, value });
export const fail = <T = never>(error: AppError): Result<T> => ({ ok: false, error });

/** A 400 whose summary names the first problem, like `validationError` does for zod issues. */
export function invalid<T = never>(what: string, issues: readonly FieldIssue[], code = 'ValidationFailed'): Result<T> {
  const first = issues[0];
  const summary = first ? ` First problem at ${first.pointer || '/'}: ${first.detail}` : '';
  return fail(badRequest(`${what} is not valid.${summary}`, issues, code));
}
