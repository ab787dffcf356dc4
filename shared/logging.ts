// Structured logs (STYLE habit 10): one JSON object per event, carrying the
// invocation id and whatever ids the event is about (deploymentId, revision,
// hub, deviceId), so one grep follows a rollout across functions.
import type { InvocationContext } from '@azure/functions';

export type LogFields = Readonly<Record<string, unknown>>;

export interface EventLogger {
  info(event: string, fields?: LogFields): void;
  warn(event: string, fields?: LogFields): void;
  error(event: string, fields?: LogFields): void;
}

export function eventLogger(context: InvocationContext, base: LogFields = {}): EventLogger {
  const line = (event: string, fields?: LogFields) => JSON.stringify({ event, invocationId: context.invocationId, function: context.functionName, ...base, ...fields });
  return {
    info: (event, fields) => context.info(line(event, fields)),
    warn: (event, fields) => context.warn(line(event, fields)),
    error: (event, fields) => context.error(line(event, fields)),
  };
}
