// Errors are values with a code and an HTTP status (STYLE.md habit 4).
// `retryable` separates transient failures (rethrow so the host retries)
// from terminal ones (record and move on).

export interface FieldIssue {
  /** JSON Pointer into the request body or settings, e.g. `/manifest/modules/web/image`. */
  readonly pointer: string;
  readonly detail: string;
  readonly code?: string;
}

export interface AppErrorOptions {
  readonly issues?: readonly FieldIssue[];
  readonly retryable?: boolean;
  readonly retryAfterSeconds?: number;
  readonly cause?: unknown;
  /** Extra problem+json members (RFC 9457 extensions); never secrets. */
  readonly extensions?: Readonly<Record<string, unknown>>;
}

export class AppError extends Error {
  readonly issues: readonly FieldIssue[];
  readonly retryable: boolean;
  readonly retryAfterSeconds: number | undefined;
  readonly extensions: Readonly<Record<string, unknown>>;

  constructor(
    readonly code: string,
    readonly status: number,
    message: string,
    options: AppErrorOptions = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AppError';
    this.issues = options.issues ?? [];
    // 408 and 429 are transient by definition, like 5xx.
    this.retryable = options.retryable ?? (status >= 500 || status === 408 || status === 429);
    this.retryAfterSeconds = options.retryAfterSeconds;
    this.extensions = options.extensions ?? {};
  }
}

export const isAppError = (e: unknown): e is AppError => e instanceof AppError;

export const badRequest = (message: string, issues: readonly FieldIssue[] = [], code = 'BadRequest'): AppError =>
  new AppError(code, 400, message, { issues, retryable: false });

export const notFound = (what: string, code = 'NotFound'): AppError =>
  new AppError(code, 404, `${what} was not found.`, { retryable: false });

export const conflict = (message: string, code = 'Conflict'): AppError =>
  new AppError(code, 409, message, { retryable: false });

export const preconditionFailed = (message: string): AppError =>
  new AppError('PreconditionFailed', 412, message, { retryable: false });

export const preconditionRequired = (message: string): AppError =>
  new AppError('PreconditionRequired', 428, message, { retryable: false });

/** Turns a path of keys (as zod reports them) into an RFC 6901 JSON Pointer. */
export function toPointer(path: readonly PropertyKey[], prefix = ''): string {
  const escaped = path.map((k) => String(k).replace(/~/g, '~0').replace(/\//g, '~1'));
  return prefix + (escaped.length ? `/${escaped.join('/')}` : '');
}
