// Served to `@azure/functions` as the module `@azure/functions-core` (see
// installCore.ts): the same entry points the Azure Functions Node worker
// provides, so `app.http/timer/eventHub` register here exactly as in Azure.
import type { FunctionCallback, FunctionMetadata, HookCallback, ProgrammingModel, RpcLogLevel } from './coreTypes';

export interface RegisteredFunction {
  readonly metadata: FunctionMetadata;
  readonly callback: FunctionCallback;
}

export class Disposable {
  constructor(private readonly onDispose: () => void) {}
  static from(...items: { dispose(): unknown }[]): Disposable {
    return new Disposable(() => items.forEach((i) => i.dispose()));
  }
  dispose(): void {
    this.onDispose();
  }
}

interface CoreState {
  programmingModel: ProgrammingModel | undefined;
  functions: Map<string, RegisteredFunction>;
  hooks: Map<string, HookCallback[]>;
  systemLog: (level: RpcLogLevel, message: string) => void;
}

// One state per process, like the worker; the host reads it after loading the app.
const state: CoreState = {
  programmingModel: undefined,
  functions: new Map(),
  hooks: new Map(),
  systemLog: (level, message) => {
    if (level === 'error' || level === 'warning' || level === 'critical') process.stderr.write(`${message}\n`);
  },
};

export const version = '3.10.1';

export function setProgrammingModel(model: ProgrammingModel): void {
  state.programmingModel = model;
}

export function getProgrammingModel(): ProgrammingModel | undefined {
  return state.programmingModel;
}

export function registerFunction(metadata: FunctionMetadata, callback: FunctionCallback): Disposable {
  const key = metadata.name.toLowerCase();
  if (state.functions.has(key)) {
    throw new Error(`A function can only be registered once. Function name "${metadata.name}" is used twice.`);
  }
  state.functions.set(key, { metadata, callback });
  return new Disposable(() => state.functions.delete(key));
}

export function registerHook(hookName: string, callback: HookCallback): Disposable {
  const list = state.hooks.get(hookName) ?? [];
  list.push(callback);
  state.hooks.set(hookName, list);
  return new Disposable(() => state.hooks.set(hookName, (state.hooks.get(hookName) ?? []).filter((c) => c !== callback)));
}

export function log(level: RpcLogLevel, _category: string, message: string): void {
  state.systemLog(level, message);
}

/** Host-side access (not part of the worker interface). */
export const hostState = {
  functions: (): RegisteredFunction[] => [...state.functions.values()],
  programmingModel: (): ProgrammingModel | undefined => state.programmingModel,
  hooks: (name: string): HookCallback[] => state.hooks.get(name) ?? [],
  setSystemLog(sink: (level: RpcLogLevel, message: string) => void): void {
    state.systemLog = sink;
  },
  reset(): void {
    state.functions.clear();
    state.hooks.clear();
  },
};
