import { app } from '@azure/functions';
import { lazyHandlers } from '../shared/http/lazyHandlers';

const handlers = lazyHandlers(() => import('../shared/handlers/kubernetesApi.js'));

// /api/k8s/*: the Kubernetes API that kubectl and @kubernetes/client-node talk
// to (docs/kubernetes-api.md). Anonymous to the host: kubectl sends
// `Authorization: Bearer`, checked by the handler (shared key or Entra ID token).
app.http('kubernetesApi', {
  methods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'],
  authLevel: 'anonymous',
  route: 'k8s/{*path}',
  handler: handlers.http('kubernetesApiHandler'),
});
