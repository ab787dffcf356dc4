// The slice of the Functions worker interface (`@azure/functions-core`) that
// `@azure/functions` v4 uses. The package ships no types for it, so the shapes
// the library reads and writes are declared here.

export interface RpcBindingInfo {
  type: string;
  direction?: 'in' | 'out' | 'inout';
  [option: string]: unknown;
}

export interface RpcRetryOptions {
  maxRetryCount?: number;
  retryStrategy?: 'fixedDelay' | 'exponentialBackoff';
  delayInterval?: RpcDuration;
  minimumInterval?: RpcDuration;
  maximumInterval?: RpcDuration;
}
export interface RpcDuration {
  seconds?: number;
  nanos?: number;
}

export interface FunctionMetadata {
  name: string;
  bindings: Record<string, RpcBindingInfo>;
  retryOptions?: RpcRetryOptions;
}

export interface RpcHttpData {
  method?: string;
  url?: string;
  headers?: Record<string, string>;
  query?: Record<string, string>;
  params?: Record<string, string>;
  body?: RpcTypedData;
  statusCode?: string;
}

export interface RpcTypedData {
  string?: string;
  json?: string;
  bytes?: Uint8Array;
  http?: RpcHttpData;
}

export interface RpcParameterBinding {
  name: string;
  data: RpcTypedData;
}

export interface RpcInvocationResponse {
  invocationId: string;
  returnValue?: RpcTypedData | null;
  outputData?: RpcParameterBinding[];
}

export type RpcLogLevel = 'trace' | 'debug' | 'information' | 'warning' | 'error' | 'critical' | 'none';

export interface CoreInvocationContext {
  invocationId: string;
  request: {
    inputData?: RpcParameterBinding[];
    triggerMetadata?: Record<string, RpcTypedData>;
    retryContext?: { retryCount: number; maxRetryCount: number; exception?: { message?: string } };
  };
  metadata: { name: string; bindings: Record<string, RpcBindingInfo> };
  state?: string;
  log(level: RpcLogLevel, category: 'user' | 'system', message: string): void;
}

export interface InvocationModel {
  getArguments(): Promise<{ context: unknown; inputs: unknown[] }>;
  invokeFunction(context: unknown, inputs: unknown[], handler: FunctionCallback): Promise<unknown>;
  getResponse(context: unknown, result: unknown): Promise<RpcInvocationResponse>;
}

/** Worker capabilities, as the worker reports them to the host in WorkerInitResponse (string values). */
export type WorkerCapabilities = Record<string, string>;

export interface ProgrammingModel {
  name: string;
  version: string;
  getInvocationModel(coreContext: CoreInvocationContext): InvocationModel;
  /** Called by the worker after the app's entry points are loaded; `app.setup()` is locked from then on. */
  getCapabilities?(capabilities: WorkerCapabilities): Promise<WorkerCapabilities>;
}

export type FunctionCallback = (...args: unknown[]) => unknown;
export type HookCallback = (context: unknown) => unknown;
