// Cold start (issue 18): a function app's import should cost about what a bare
// @azure/functions app costs, because on Flex Consumption it is added to the
// first request after every scale-out. So functions/*.ts hold only their
// registrations (name, trigger, route: what the host must know at load), and
// each handler module, with zod, the SDKs, settings validation and the rest of
// the app behind it, is loaded the first time one of its functions runs.
//
// This file must import nothing at run time: it is loaded with the registrations.
import type { HttpHandler, HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';

/**
 * Why a handler module could not be loaded, as an HTTP caller sees it: 503, never a 500.
 * The only expected cause is settings that fail validation (the composition root
 * throws while loading); the log line names them, never their values.
 */
function unavailable(error: unknown, context: InvocationContext): HttpResponseInit {
  context.error(JSON.stringify({ event: 'function.loadFailed', error: error instanceof Error ? error.message : String(error) }));
  return {
    status: 503,
    headers: { 'content-type': 'application/problem+json', 'retry-after': '30' },
    jsonBody: {
      type: 'https://edge-fleet.dev/problems/AppUnavailable',
      title: 'Service Unavailable',
      status: 503,
      detail: 'The app could not load this function (its settings are not valid; the log names them).',
      code: 'AppUnavailable',
    },
  };
}

export interface LazyHandlers<M> {
  /** An HTTP handler of the module; a module that cannot load answers 503 problem+json. */
  http<K extends keyof M>(name: K): HttpHandler;
  /** A trigger's handler (timer, Event Hubs): a module that cannot load fails the invocation, so the host retries it. */
  trigger<K extends keyof M>(name: K): M[K];
}

export function lazyHandlers<M extends Record<string, unknown>>(load: () => Promise<M>): LazyHandlers<M> {
  let loading: Promise<M> | undefined;
  // A failed load is not kept: settings do not change without a restart, but a transient
  // failure (a file system hiccup) should not disable the function for the instance's life.
  const module = () =>
    (loading ??= load().catch((error: unknown) => {
      loading = undefined;
      throw error;
    }));
  return {
    http: (name) => async (request: HttpRequest, context: InvocationContext) => {
      let handler: HttpHandler;
      try {
        handler = (await module())[name] as HttpHandler;
      } catch (error) {
        return unavailable(error, context);
      }
      return handler(request, context);
    },
    trigger: (name) => (async (...args: unknown[]) => ((await module())[name] as unknown as (...a: unknown[]) => unknown)(...args)) as M[typeof name],
  };
}
