// POST /api/webhooks/registry/{provider} at the HTTP edge. The order matters:
// the declared size is checked first (413), then the provider's credentials
// (401, no detail), HMAC schemes only after reading the body within the limit;
// only then is the body parsed (400) and a push applied. A delivery id seen
// before gets the first answer back and starts nothing new.
import type { HttpRequest, HttpResponseInit } from '@azure/functions';
import { z } from 'zod';
import type { Settings } from '../config/settings';
import { providers } from '../domain/registry/providers';
import { isProvider, type Provider, PROVIDERS } from '../domain/registry/pushEvent';
import { authenticate, needsBody } from '../domain/registry/webhookAuth';
import { AppError, badRequest } from '../errors';
import type { EventLogger } from '../logging';
import { type IdempotencyStore, requestHash } from '../services/idempotency/idempotency';
import { applyPushes, type PushDeps } from '../services/registry/applyPushes';
import { parseBody, readBody } from './body';
import { rememberedResponse } from './idempotentPost';
import { validationError } from './problem';
import { json } from './respond';

type WebhookSettings = Pick<Settings, 'MAX_WEBHOOK_BODY_BYTES' | (typeof providers)[Provider]['secretSetting']>;

export interface RegistryWebhookDeps {
  readonly settings: WebhookSettings;
  readonly idempotency: IdempotencyStore;
  readonly deployments: () => Promise<PushDeps>;
  readonly log: EventLogger;
}

/** Deliveries are remembered a week: registries retry for hours, and a replayed old push must not roll anything back. */
const DELIVERY_TTL_MS = 7 * 24 * 3600_000;

export const webhookQuerySchema = z.object({
  dryRun: z.enum(['true', 'false']).optional().meta({ description: 'true: answer what would change, change nothing' }),
  token: z.string().optional().meta({ description: 'dockerhub only: the WEBHOOK_DOCKERHUB_TOKEN (Docker Hub can send nothing but a URL)' }),
});

const unauthorized = () => new AppError('Unauthorized', 401, 'The request is not authenticated.', { retryable: false });

function providerOf(request: HttpRequest): Provider {
  const name = (request.params.provider ?? '').toLowerCase();
  if (!isProvider(name)) {
    throw new AppError('UnknownProvider', 404, `There is no registry webhook '${name}'.`, { retryable: false, extensions: { providers: PROVIDERS } });
  }
  return name;
}

function headerRecord(request: HttpRequest): Record<string, string> {
  const headers: Record<string, string> = {};
  request.headers.forEach((value, name) => (headers[name.toLowerCase()] = value));
  return headers;
}

/** JSON, or GitHub's form encoding (`payload=<json>`), whatever Content-Type a registry sets. */
function webhookJson(body: Buffer, contentType: string | null): unknown {
  if (contentType?.toLowerCase().startsWith('application/x-www-form-urlencoded')) {
    const payload = new URLSearchParams(body.toString('utf8')).get('payload');
    if (payload === null) throw badRequest('the form-encoded body has no payload field', [{ pointer: '', detail: 'expected payload=<JSON>' }], 'MalformedBody');
    return parseBody(Buffer.from(payload), 'json');
  }
  return parseBody(body, 'json');
}

export async function registryWebhook(request: HttpRequest, deps: RegistryWebhookDeps): Promise<HttpResponseInit> {
  const name = providerOf(request);
  const provider = providers[name];
  const instance = new URL(request.url).pathname;
  const query = webhookQuerySchema.safeParse(Object.fromEntries(request.query));
  if (!query.success) throw validationError(query.error, 'The query');
  const limit = deps.settings.MAX_WEBHOOK_BODY_BYTES;

  const declared = Number(request.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > limit) {
    throw new AppError('ContentTooLarge', 413, `the request body is larger than the limit of ${limit} bytes`, { retryable: false, extensions: { maxBytes: limit } });
  }
  const secret = deps.settings[provider.secretSetting];
  const credentials = { header: (h: string) => request.headers.get(h) ?? undefined, query: (q: string) => request.query.get(q) ?? undefined };
  const refuse = (why: string) => {
    deps.log.warn('registry.webhook.unauthenticated', { provider: name, why });
    return unauthorized();
  };
  if (!secret) throw refuse(`${provider.secretSetting} is not set: the provider is disabled`);
  if (!needsBody(provider.auth) && !authenticate(provider.auth, secret, credentials)) throw refuse('wrong or missing token');
  const body = await readBody(request, limit);
  if (needsBody(provider.auth) && !authenticate(provider.auth, secret, credentials, body)) throw refuse('wrong or missing signature');

  const parsed = provider.parse({ headers: headerRecord(request), body: webhookJson(body, request.headers.get('content-type')) });
  if (!parsed.ok) throw parsed.error;
  const delivery = parsed.value;
  if (delivery.kind === 'ignored') {
    deps.log.info('registry.webhook.ignored', { provider: name, reason: delivery.reason });
    return json(202, { provider: name, ignored: true, reason: delivery.reason });
  }

  const dryRun = query.data.dryRun === 'true';
  const run = async () => {
    const report = await applyPushes(await deps.deployments(), { provider: name, deliveryId: delivery.deliveryId, pushes: delivery.pushes }, {
      dryRun,
      onRevision: (deploymentId, revision, changes) =>
        deps.log.info('registry.webhook.revision', { provider: name, deliveryId: delivery.deliveryId, deploymentId, revision, modules: changes.map((c) => c.module) }),
    });
    deps.log.info('registry.webhook.applied', { provider: name, deliveryId: delivery.deliveryId, dryRun, changes: report.changes.length, failed: report.failed.length });
    return json(200, report);
  };
  if (dryRun) return run();
  const hash = requestHash([name, JSON.stringify(delivery.pushes)]);
  return rememberedResponse(deps.idempotency, `webhook registry/${name}`, delivery.deliveryId, hash, instance, run, { ttlMs: DELIVERY_TTL_MS });
}

/**
 * OPTIONS: the CloudEvents 1.0 webhook validation handshake (Event Grid sends it
 * before delivering): consent to the requesting origin, at any rate. Only the
 * cloudevents provider, and only while it is enabled, consents.
 */
export function webhookHandshake(request: HttpRequest, settings: WebhookSettings): HttpResponseInit {
  const name = providerOf(request);
  if (name !== 'cloudevents') return { status: 405, headers: { allow: 'POST' } };
  if (!settings[providers.cloudevents.secretSetting]) throw unauthorized();
  const origin = request.headers.get('webhook-request-origin');
  if (!origin) throw badRequest('the WebHook-Request-Origin header is missing', [{ pointer: '', detail: 'required by the CloudEvents validation handshake' }], 'MissingHeader');
  return { status: 200, headers: { allow: 'POST, OPTIONS', 'webhook-allowed-origin': origin, 'webhook-allowed-rate': '*' } };
}
