// Every HTTP operation with the schemas of what it takes and returns: the
// source of GET /api/openapi.json. A test checks it against the routes the
// function app really registers, so the two cannot drift apart.
import { z } from 'zod';
import { deploymentRequestSchema } from '../domain/deployments/deploymentSpec';
import { genericPayloadSchema } from '../domain/registry/providers/generic';
import { deploymentStatusSchema } from '../services/deployments/deploymentStatus';
import { deadLetterViewSchema } from '../services/health/deadLetters';
import { deploymentDeviceSchema, deviceHealthViewSchema } from '../services/health/healthQueries';
import { changeResultSchema, deploymentViewSchema, hubTargetViewSchema, revisionViewSchema } from '../services/deployments/deploymentViews';
import { ignoredDeliverySchema, pushReportSchema } from '../services/registry/pushReport';
import { rolloutViewSchema } from '../services/rollout/rolloutView';
import type { ApiOperation } from './openapi';
import { deadLettersQuerySchema, deploymentDevicesQuerySchema } from './healthRequests';
import { kubernetesOperations } from './kubernetesCatalog';
import { listQuerySchema } from './paging';
import { problemSchema } from './problem';
import { webhookQuerySchema } from './registryWebhook';
import { rollbackRequestSchema } from './requestSchemas';

const problem = (description: string) => ({ description, schema: problemSchema });
const page = <T extends z.ZodType>(item: T, id: string) =>
  z.object({ items: z.array(item), continuationToken: z.string().nullable().meta({ description: 'Pass back to get the next page; null on the last' }) }).meta({ id });
const ifMatch = { name: 'If-Match', required: true, description: 'The ETag of the revision being replaced (from GET), e.g. "r3"' };
const common = { 400: problem('The request is not valid; errors[] points at each field'), 401: { description: 'Missing or wrong function key' } };
const change = {
  200: { description: 'Applied on every selected hub', schema: changeResultSchema },
  202: { description: 'Recorded; some hubs are still pending and the reconciler finishes them', schema: changeResultSchema },
};

const hubViewSchema = z
  .object({
    name: z.string(),
    region: z.string(),
    labels: z.record(z.string(), z.string()),
    units: z.int(),
    reachability: z.object({
      reachable: z.boolean().nullable(),
      checkedAt: z.string().nullable(),
      lastContactAt: z.string().nullable(),
      lastError: z.string().nullable(),
      configurationCount: z.int().nullable(),
    }),
    edgeDevices: z
      .object({ total: z.int(), connected: z.int(), countedAt: z.string() })
      .nullable()
      .meta({ description: "The hub's IoT Edge devices and the connected ones, counted by the reconciler at most every 5 minutes (two COUNT() queries); null until first counted" }),
    garbageCollection: z
      .object({
        fenced: z.boolean().nullable(),
        reason: z.enum(['DesiredStateLost', 'TooManyDeletions']).nullable(),
        message: z.string().nullable(),
      })
      .meta({ description: "Fenced: the reconciler's last pass deleted no orphaned configuration on this hub, because the desired state looked lost (see docs/desired-state-and-convergence.md)" }),
  })
  .meta({ id: 'Hub' });

export const apiOperations: readonly ApiOperation[] = [
  {
    operationId: 'createDeployment',
    method: 'post',
    path: '/deployments',
    summary: 'Create a deployment and fan it out to the selected hubs',
    description: 'The body is a deployment request (JSON or YAML) or a bare Kubernetes Pod or apps/v1 Deployment (YAML or JSON) using edge-fleet.dev/* annotations.',
    auth: 'function',
    headers: [{ name: 'Idempotency-Key', required: false, description: 'Retries with the same key and body return the first answer' }],
    requestBody: { contentTypes: ['application/json', 'application/yaml'], schema: deploymentRequestSchema },
    responses: {
      201: { description: 'Created and applied on every selected hub', schema: changeResultSchema },
      202: change[202],
      ...common,
      409: problem('A deployment with this id exists, or a request with this Idempotency-Key is in progress'),
      413: problem('The body is larger than MAX_REQUEST_BODY_BYTES'),
      415: problem('Not JSON or YAML'),
      422: problem('The Idempotency-Key was used with a different request'),
    },
  },
  {
    operationId: 'listDeployments',
    method: 'get',
    path: '/deployments',
    summary: 'List deployments, paged, optionally by label',
    auth: 'function',
    query: listQuerySchema,
    responses: {
      200: { description: 'A page of deployments', schema: page(z.object({ id: z.string(), revision: z.int(), etag: z.string(), labels: z.record(z.string(), z.string()), createdAt: z.string(), updatedAt: z.string() }), 'DeploymentPage') },
      ...common,
    },
  },
  {
    operationId: 'getDeployment',
    method: 'get',
    path: '/deployments/{id}',
    summary: 'Get a deployment and its hubs',
    auth: 'function',
    responses: { 200: { description: 'The deployment', schema: z.object({ deployment: deploymentViewSchema, hubs: z.array(hubTargetViewSchema) }) }, 404: problem('No such deployment'), 401: common[401] },
  },
  {
    operationId: 'replaceDeployment',
    method: 'put',
    path: '/deployments/{id}',
    summary: 'Replace the spec: a new revision',
    auth: 'function',
    headers: [ifMatch],
    requestBody: { contentTypes: ['application/json', 'application/yaml'], schema: deploymentRequestSchema },
    responses: { ...change, ...common, 404: problem('No such deployment'), 412: problem('If-Match is not the current revision'), 428: problem('If-Match is missing') },
  },
  {
    operationId: 'patchDeployment',
    method: 'patch',
    path: '/deployments/{id}',
    summary: 'Change part of the spec (JSON merge patch, RFC 7396): a new revision',
    auth: 'function',
    headers: [ifMatch],
    requestBody: { contentTypes: ['application/merge-patch+json'], schema: z.record(z.string(), z.unknown()).meta({ description: 'Fields of the deployment request to change; null removes' }) },
    responses: { ...change, ...common, 404: problem('No such deployment'), 412: problem('If-Match is not the current revision'), 428: problem('If-Match is missing') },
  },
  {
    operationId: 'deleteDeployment',
    method: 'delete',
    path: '/deployments/{id}',
    summary: "Delete a deployment: its configurations are removed from every hub",
    auth: 'function',
    headers: [{ ...ifMatch, required: false }],
    responses: { ...change, 404: problem('No such deployment'), 412: problem('If-Match is not the current revision'), 401: common[401] },
  },
  {
    operationId: 'listRevisions',
    method: 'get',
    path: '/deployments/{id}/revisions',
    summary: 'The revision history, oldest first',
    auth: 'function',
    query: listQuerySchema.pick({ pageSize: true, continuationToken: true }),
    responses: { 200: { description: 'A page of revisions', schema: page(revisionViewSchema, 'RevisionPage') }, 404: problem('No such deployment'), ...common },
  },
  {
    operationId: 'rollbackDeployment',
    method: 'post',
    path: '/deployments/{id}/rollback',
    summary: 'Make a new revision equal to an earlier one',
    auth: 'function',
    headers: [{ ...ifMatch, required: false }],
    requestBody: { contentTypes: ['application/json'], schema: rollbackRequestSchema },
    responses: { ...change, ...common, 404: problem('No such deployment'), 412: problem('If-Match is not the current revision') },
  },
  {
    operationId: 'deploymentStatus',
    method: 'get',
    path: '/deployments/{id}/status',
    summary: "Per hub: sync state and the hub's own device counts, with freshness",
    auth: 'function',
    responses: { 200: { description: 'The status', schema: deploymentStatusSchema }, 404: problem('No such deployment'), 401: common[401] },
  },
  ...(
    [
      ['pause', 'Pause the rollout (applying or soaking); the soak left is kept for resume'],
      ['resume', 'Resume a paused rollout; after a failed gate, a person accepts the wave and the next one starts'],
      ['abort', 'Stop the rollout and roll every hub that got the revision back to the previous one, now'],
      ['promote', 'End the current soak now; the gate is still judged at the next reconcile pass'],
    ] as const
  ).map(
    ([command, summary]): ApiOperation => ({
      operationId: `rollout${command[0]!.toUpperCase()}${command.slice(1)}`,
      method: 'post',
      path: `/deployments/{id}/rollout:${command}`,
      summary,
      auth: 'function',
      responses: {
        200: { description: 'The rollout after the command', schema: rolloutViewSchema },
        401: common[401],
        404: problem('No such deployment, or it never had a progressive rollout'),
        409: problem('The rollout is not in a phase that allows the command, or changed meanwhile'),
      },
    }),
  ),
  {
    operationId: 'deploymentDevices',
    method: 'get',
    path: '/deployments/{id}/devices',
    summary: "A revision's devices by health state (from ingested health), paged over every hub",
    auth: 'function',
    query: deploymentDevicesQuerySchema,
    responses: { 200: { description: 'A page of devices', schema: page(deploymentDeviceSchema, 'DeploymentDevicePage') }, 400: common[400], 401: common[401], 404: problem('No such deployment') },
  },
  {
    operationId: 'deviceHealth',
    method: 'get',
    path: '/hubs/{hub}/devices/{deviceId}/health',
    summary: "One device's ingested health: connection, modules, applied deployment and state",
    auth: 'function',
    responses: { 200: { description: 'The device health', schema: deviceHealthViewSchema }, 401: common[401], 404: problem('No such hub, or nothing ingested for the device yet') },
  },
  {
    operationId: 'healthDeadLetters',
    method: 'get',
    path: '/health/deadletters',
    summary: 'Routed events health ingestion could not use (malformed, or refused by storage every time), until DEAD_LETTER_TTL_DAYS passes',
    description: 'Ordered by Event Hub partition and sequence number. Secret-looking values in bodies and properties are redacted before they are stored.',
    auth: 'function',
    query: deadLettersQuerySchema,
    responses: { 200: { description: 'A page of dead letters', schema: page(deadLetterViewSchema, 'HealthDeadLetterPage') }, 400: common[400], 401: common[401] },
  },
  {
    operationId: 'listHubs',
    method: 'get',
    path: '/hubs',
    summary: 'The configured regional hubs with labels and last-known reachability',
    auth: 'function',
    responses: { 200: { description: 'The hubs', schema: z.object({ hubs: z.array(hubViewSchema) }) }, 401: common[401] },
  },
  {
    operationId: 'reconcileNow',
    method: 'post',
    path: '/reconcile',
    summary: 'Run one reconcile pass now and return its report (master key)',
    auth: 'admin',
    responses: { 200: { description: 'The pass report' }, 409: { description: 'Another pass holds the lease' }, 401: common[401] },
  },
  {
    operationId: 'registryWebhook',
    method: 'post',
    path: '/webhooks/registry/{provider}',
    summary: 'A registry announces an image push: deployments whose update policy accepts it get a new revision',
    description:
      'provider is acr, dockerhub, ghcr, harbor, cloudevents or generic; each sends its own payload (the schema below is the generic one). ' +
      "No function key: the provider's own credentials authenticate (HMAC-SHA256 of the raw body in X-Hub-Signature-256 for ghcr and X-Signature-256 for generic; " +
      'Authorization: Bearer <token> for acr, harbor and cloudevents; ?token= for dockerhub). The same delivery again returns the first answer.',
    auth: 'anonymous',
    query: webhookQuerySchema,
    headers: [
      { name: 'X-Signature-256', required: false, description: 'generic: sha256=<hex HMAC-SHA256 of the raw body with WEBHOOK_GENERIC_SECRET>' },
      { name: 'X-Hub-Signature-256', required: false, description: 'ghcr: as GitHub sends it (WEBHOOK_GHCR_SECRET)' },
      { name: 'Authorization', required: false, description: 'acr, harbor, cloudevents: Bearer <token>' },
      { name: 'X-GitHub-Event', required: false, description: 'ghcr: package or registry_package (ping is acknowledged)' },
    ],
    requestBody: {
      contentTypes: ['application/json', 'application/cloudevents+json', 'application/cloudevents-batch+json', 'application/x-www-form-urlencoded'],
      schema: genericPayloadSchema,
    },
    responses: {
      200: { description: 'The push was applied (or, with dryRun, planned); replays carry Idempotent-Replayed: true', schema: pushReportSchema },
      202: { description: 'Not a push (a ping, a delete, an untagged push): acknowledged and ignored, with the reason', schema: ignoredDeliverySchema },
      400: problem('The payload is not what the provider sends; errors[] points at the field'),
      401: { description: 'Missing or wrong signature or token, or the provider is not enabled (no detail is given)' },
      404: problem('No such provider'),
      409: problem('The same delivery is being applied right now'),
      413: problem('The body is larger than MAX_WEBHOOK_BODY_BYTES'),
      422: problem('This delivery id was already used for a different push'),
      503: problem('A deployment kept changing while the push was applied; the registry should retry'),
    },
  },
  {
    operationId: 'registryWebhookHandshake',
    method: 'options',
    path: '/webhooks/registry/{provider}',
    summary: 'CloudEvents 1.0 webhook validation handshake (Event Grid): consent to WebHook-Request-Origin',
    auth: 'anonymous',
    headers: [{ name: 'WebHook-Request-Origin', required: true, description: 'The sender, e.g. eventgrid.azure.net' }],
    responses: {
      200: { description: 'Consent: WebHook-Allowed-Origin and WebHook-Allowed-Rate are set (cloudevents only)' },
      400: problem('WebHook-Request-Origin is missing'),
      401: { description: 'The cloudevents provider is not enabled' },
      404: problem('No such provider'),
      405: { description: 'Other providers do not take CloudEvents' },
    },
  },
  {
    operationId: 'health',
    method: 'get',
    path: '/health',
    summary: "Reachability of the app's dependencies",
    auth: 'function',
    responses: { 200: { description: 'Every dependency answered' }, 503: { description: 'Some dependency failed (see checks)' }, 401: common[401] },
  },
  {
    operationId: 'openapi',
    method: 'get',
    path: '/openapi.json',
    summary: 'This document',
    auth: 'anonymous',
    usesStorage: false,
    responses: { 200: { description: 'OpenAPI 3.1' } },
  },
  {
    operationId: 'console',
    method: 'get',
    // Azure's catch-all `{*path}`: the rest of the URL, slashes included (a file of the console's build).
    path: '/console/{path}',
    summary: "The web console's page and files (docs/console.md)",
    auth: 'anonymous',
    usesStorage: false,
    responses: { 200: { description: 'The file' }, 304: { description: 'Unchanged since the ETag sent' }, 302: { description: 'In Azure: not signed in; redirect to the Entra ID sign-in (Easy Auth)' }, 308: { description: 'Redirect to the path with a trailing slash' }, 403: { description: 'In Azure: App Service sign-in (Easy Auth) is not configured, so the console is not served' }, 404: { description: 'No such file' } },
  },
  ...kubernetesOperations,
];
