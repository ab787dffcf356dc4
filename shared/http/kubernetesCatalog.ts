// The Kubernetes surface in openapi.json: one catch-all route per method. Its
// own API is described where Kubernetes clients look for it (/api/k8s/openapi/v3);
// errors there are Kubernetes `Status` objects, not problem+json, because that
// is what kubectl and client libraries read.
import { z } from 'zod';
import type { ApiOperation } from './openapi';

const statusSchema = z
  .looseObject({
    kind: z.literal('Status'),
    apiVersion: z.literal('v1'),
    status: z.enum(['Success', 'Failure']),
    message: z.string().optional(),
    reason: z.string().optional(),
    code: z.int().optional(),
    details: z.looseObject({ causes: z.array(z.object({ reason: z.string(), message: z.string(), field: z.string() })).optional() }).optional(),
  })
  .meta({ id: 'KubernetesStatus', description: 'metav1.Status (https://kubernetes.io/docs/reference/kubernetes-api/common-definitions/status/)' });

const status = (description: string) => ({ description, schema: statusSchema });
const responses = {
  200: { description: 'The object, list, Table, discovery document or watch events' },
  201: { description: 'Created' },
  400: status('Bad request'),
  401: status('No bearer token, or one that is not accepted'),
  404: status('No such resource or object'),
  405: status('The method is not allowed on the resource'),
  409: status('AlreadyExists, or Conflict: the object changed (resourceVersion)'),
  413: status('The body is larger than the size limit'),
  415: status('A PATCH Content-Type that is not a Kubernetes patch type'),
  422: status('Invalid: details.causes[].field names each refused field'),
  503: status('Storage or a hub is unavailable for now'),
};

export const kubernetesOperations: readonly ApiOperation[] = (['get', 'post', 'put', 'patch', 'delete'] as const).map((method) => ({
  operationId: `kubernetes${method[0]!.toUpperCase()}${method.slice(1)}`,
  method,
  path: '/k8s/{path}',
  summary: `Kubernetes API (${method.toUpperCase()}): discovery, OpenAPI v3, nodes, apps/v1 deployments (docs/kubernetes-api.md)`,
  description: 'Authorization: Bearer <token> (the local function key, or an Entra ID access token). The function key alone is not accepted.',
  auth: 'anonymous',
  ...(method === 'post' || method === 'put' || method === 'patch'
    ? { requestBody: { contentTypes: ['application/json', 'application/strategic-merge-patch+json', 'application/merge-patch+json', 'application/json-patch+json', 'application/apply-patch+yaml'], schema: z.unknown() } }
    : {}),
  responses,
}));
