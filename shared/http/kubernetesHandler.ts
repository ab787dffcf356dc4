// The Kubernetes surface at the HTTP edge: bearer check, then the router;
// failures are Kubernetes `Status` bodies (what kubectl reads), and anything
// unexpected a 500 Status that leaks nothing (logged, without the token).
import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { failure } from '../domain/kubernetes/status';
import { authenticate, type BearerAuthOptions } from '../services/kubernetes/bearerAuth';
import { KubeError } from '../services/kubernetes/kubeError';
import { type KubernetesApiDeps, routeKubernetes } from '../services/kubernetes/kubernetesRouter';
import { readBody } from './body';

const status = (s: ReturnType<typeof failure>): HttpResponseInit => ({ status: s.code, headers: { 'content-type': 'application/json' }, body: JSON.stringify(s) });

export async function handleKubernetes(request: HttpRequest, context: InvocationContext, deps: { auth: BearerAuthOptions; api: () => Promise<KubernetesApiDeps>; maxBodyBytes: number }): Promise<HttpResponseInit> {
  const url = new URL(request.url);
  const marker = url.pathname.toLowerCase().indexOf('/k8s');
  const basePath = url.pathname.slice(0, marker + '/k8s'.length);
  const path = url.pathname.slice(basePath.length) || '/';
  const logFailure = (error: unknown, event: string) =>
    context.error(JSON.stringify({ event, invocationId: context.invocationId, method: request.method, path, error: error instanceof Error ? error.stack : String(error) }));
  const auth = await authenticate(request.headers.get('authorization'), deps.auth);
  if (!auth.ok) return status(failure(401, 'Unauthorized'));
  try {
    const api = await deps.api();
    const answer = await routeKubernetes(
      {
        method: request.method,
        path,
        basePath,
        query: url.searchParams,
        headers: request.headers,
        body: async () => (await readBody(request, deps.maxBodyBytes)).toString('utf8'),
      },
      { ...api, watch: { ...api.watch, onError: (error) => logFailure(error, 'kubernetes.watchFailed') } },
    );
    // A watch answers with a stream (the app runs with HTTP streams on, functions/index.ts).
    const body = answer.body instanceof ReadableStream ? answer.body : typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body);
    return { status: answer.status, headers: { 'content-type': answer.contentType ?? 'application/json', 'cache-control': 'no-store' }, body };
  } catch (error) {
    if (error instanceof KubeError) return status(error.status);
    logFailure(error, 'kubernetes.failed');
    return status(failure(500, 'The server could not complete the request. It has been logged.'));
  }
}
