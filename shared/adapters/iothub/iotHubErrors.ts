// Turns azure-iothub SDK errors (status on `error.response`, IoT Hub's
// `{"Message":"ErrorCode:X;..."}` in `error.responseBody`) into AppErrors
// that say whether a retry can help. Messages are cut to their first line:
// IoT Hub bodies can carry tracking ids and timestamps, never keys.
import { AppError } from '../../errors';

interface SdkError {
  message?: string;
  code?: string;
  response?: { statusCode?: number; headers?: Record<string, string | string[] | undefined> };
  responseBody?: unknown;
}

export function errorCodeFromBody(body: unknown): string | undefined {
  const text = typeof body === 'string' ? body : body instanceof Buffer ? body.toString('utf8') : undefined;
  if (!text) return undefined;
  try {
    const parsed = JSON.parse(text) as { Message?: string; ErrorCode?: string; errorCode?: string | number };
    if (typeof parsed.ErrorCode === 'string') return parsed.ErrorCode;
    const fromMessage = /ErrorCode:([A-Za-z]+)/.exec(parsed.Message ?? '');
    if (fromMessage?.[1]) return fromMessage[1];
  } catch {
    // Not JSON: fall through.
  }
  return /ErrorCode:([A-Za-z]+)/.exec(text)?.[1];
}

export function toAppError(error: unknown, hub: string, operation: string): AppError {
  const e = (error ?? {}) as SdkError;
  const status = e.response?.statusCode;
  const summary = `${operation} on hub ${hub}`;
  if (status === undefined) {
    // No HTTP answer: connection refused, reset, DNS, TLS, timeout. Transient.
    return new AppError(e.code ?? 'HubUnreachable', 503, `${summary} failed: ${(e.message ?? String(error)).split('\n')[0]}`, {
      retryable: true,
      cause: error,
    });
  }
  const code = errorCodeFromBody(e.responseBody) ?? `Http${status}`;
  const retryAfterHeader = e.response?.headers?.['retry-after'];
  const retryAfter = Number(Array.isArray(retryAfterHeader) ? retryAfterHeader[0] : retryAfterHeader);
  return new AppError(code, status, `${summary} answered ${status} ${code}`, {
    retryable: status >= 500 || status === 408 || status === 429,
    ...(Number.isFinite(retryAfter) && retryAfter >= 0 ? { retryAfterSeconds: retryAfter } : status === 429 ? { retryAfterSeconds: 10 } : {}),
    cause: error,
  });
}

/** The SDK has no per-call timeout for configurations: bound the wait ourselves. */
export async function withTimeout<T>(promise: Promise<T>, ms: number, hub: string, operation: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new AppError('HubTimeout', 504, `${operation} on hub ${hub} got no answer within ${ms} ms`, { retryable: true })), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
