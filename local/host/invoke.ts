// Runs one invocation the way the Functions worker does: through the
// programming model that `@azure/functions` registered, so request mapping,
// triggerMetadata camel-casing and response conversion are the library's own.
import { randomUUID } from 'node:crypto';
import type { RpcInvocationResponse, RpcLogLevel, RpcParameterBinding, RpcTypedData } from './coreTypes';
import { hostState, type RegisteredFunction } from './functionsCore';

export interface LogEntry {
  readonly level: RpcLogLevel;
  readonly category: 'user' | 'system';
  readonly functionName: string;
  readonly invocationId: string;
  readonly message: string;
}
export type HostLogger = (entry: LogEntry) => void;

export interface InvocationRequest {
  readonly inputData: RpcParameterBinding[];
  readonly triggerMetadata?: Record<string, RpcTypedData>;
  readonly retryContext?: { retryCount: number; maxRetryCount: number; exception?: { message?: string } };
  readonly invocationId?: string;
}

export type InvocationOutcome =
  | {
      readonly ok: true;
      readonly invocationId: string;
      readonly response: RpcInvocationResponse;
      /** What the function returned; with HTTP streams an HTTP response travels on the proxy, not in `response`. */
      readonly returned: unknown;
      readonly durationMs: number;
    }
  | { readonly ok: false; readonly invocationId: string; readonly error: unknown; readonly durationMs: number };

export function triggerBindingName(fn: RegisteredFunction): string {
  const entry = Object.entries(fn.metadata.bindings).find(([, b]) => b.direction === 'in' && b.type.endsWith('Trigger'));
  if (!entry) throw new Error(`function ${fn.metadata.name} has no trigger binding`);
  return entry[0];
}

export async function invoke(fn: RegisteredFunction, request: InvocationRequest, logger: HostLogger): Promise<InvocationOutcome> {
  const model = hostState.programmingModel();
  if (!model) throw new Error('no programming model registered: was @azure/functions loaded after the core was installed?');
  const invocationId = request.invocationId ?? randomUUID();
  const functionName = fn.metadata.name;
  const started = performance.now();
  const coreContext = {
    invocationId,
    request: {
      inputData: request.inputData,
      ...(request.triggerMetadata ? { triggerMetadata: request.triggerMetadata } : {}),
      ...(request.retryContext ? { retryContext: request.retryContext } : {}),
    },
    metadata: { name: functionName, bindings: fn.metadata.bindings },
    state: 'invocation',
    log: (level: RpcLogLevel, category: 'user' | 'system', message: string) =>
      logger({ level, category, functionName, invocationId, message }),
  };
  try {
    const invocation = model.getInvocationModel(coreContext);
    const { context, inputs } = await invocation.getArguments();
    const result = await invocation.invokeFunction(context, inputs, fn.callback);
    const response = await invocation.getResponse(context, result);
    return { ok: true, invocationId, response, returned: result, durationMs: performance.now() - started };
  } catch (error) {
    logger({
      level: 'error',
      category: 'system',
      functionName,
      invocationId,
      // Azure's own line: "Executed 'Functions.f' (Failed, Id=..., Duration=12ms)".
      message: `Executed 'Functions.${functionName}' (Failed, Id=${invocationId}, Duration=${Math.round(performance.now() - started)}ms): ${describeError(error)}`,
    });
    return { ok: false, invocationId, error, durationMs: performance.now() - started };
  }
}

export function describeError(error: unknown): string {
  if (error instanceof Error) return error.stack ?? `${error.name}: ${error.message}`;
  return String(error);
}

/** Resolves `%NAME%` app-setting expressions in binding options, as the host does. */
export function resolveAppSetting(value: unknown, settings: Readonly<Record<string, string | undefined>>): string | undefined {
  if (typeof value !== 'string') return undefined;
  return value.replace(/%([^%]+)%/g, (_, name: string) => {
    const resolved = settings[name];
    if (resolved === undefined) throw new Error(`app setting '${name}' referenced by a binding is not set`);
    return resolved;
  });
}
