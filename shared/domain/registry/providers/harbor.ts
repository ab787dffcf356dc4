// Harbor webhooks (default payload format): `type` PUSH_ARTIFACT carries one
// resource per tag pushed; the registry host is only in each `resource_url`.
// Harbor sends no delivery id, so the push time and artifacts stand in.
import { z } from 'zod';
import { validationError } from '../../../http/problem';
import { fail, type Result } from '../../deployments/result';
import { type Delivery, delivery, derivedDeliveryId, ignored, pushEvent, realTag, type WebhookInput } from '../pushEvent';

const harborEventSchema = z.object({ type: z.string().min(1) });

const harborPushSchema = z.object({
  type: z.literal('PUSH_ARTIFACT'),
  occur_at: z.number().optional(),
  event_data: z.object({
    resources: z.array(z.object({ digest: z.string().optional(), tag: z.string().nullish(), resource_url: z.string().min(1) })).max(100),
    repository: z.object({ repo_full_name: z.string().min(1) }),
  }),
});

/** `harbor.example.com/library/nginx:1.25` (sometimes with a scheme) -> `harbor.example.com`. */
const hostOf = (resourceUrl: string) => resourceUrl.replace(/^[a-z][a-z0-9+.-]*:\/\//i, '').split('/')[0] ?? '';

export function parseHarbor(input: WebhookInput): Result<Delivery> {
  const event = harborEventSchema.safeParse(input.body);
  if (!event.success) return fail(validationError(event.error, 'The Harbor webhook payload'));
  if (event.data.type !== 'PUSH_ARTIFACT') return ignored(`Harbor event '${event.data.type}' is not an artifact push`);
  const parsed = harborPushSchema.safeParse(input.body);
  if (!parsed.success) return fail(validationError(parsed.error, 'The Harbor webhook payload'));
  const { resources, repository } = parsed.data.event_data;
  const id = derivedDeliveryId('harbor', parsed.data.occur_at, repository.repo_full_name, ...resources.map((r) => `${r.tag ?? ''}@${r.digest ?? ''}`));
  return delivery(
    id,
    resources.flatMap((r, i) => (realTag(r.tag) ? [pushEvent(`${hostOf(r.resource_url)}/${repository.repo_full_name}`, r.tag, r.digest, id, `/event_data/resources/${i}`)] : [])),
  );
}
