// Azure Container Registry webhooks: one event per request, `action` push,
// delete, chart_push, quarantine or ping; `request.host` names the registry.
// Event Grid's ImagePushed events carry the same object as their data.
import { z } from 'zod';
import { validationError } from '../../../http/problem';
import { fail, type Result } from '../../deployments/result';
import { type Delivery, delivery, ignored, pushEvent, realTag, type WebhookInput } from '../pushEvent';

const acrEventSchema = z.object({
  id: z.string().min(1).max(200),
  action: z.string().min(1),
});

const acrPushSchema = acrEventSchema.extend({
  target: z.object({
    repository: z.string().min(1),
    tag: z.string().optional(),
    digest: z.string().optional(),
  }),
  request: z.object({ host: z.string().min(1) }),
});

/** The push an ACR event object announces; `what` and `pointer` place errors inside an envelope (Event Grid data). */
export function acrEvent(body: unknown, deliveryId: string | undefined, what: string, pointer = ''): Result<Delivery> {
  const event = acrEventSchema.safeParse(body);
  if (!event.success) return fail(validationError(event.error, what, pointer));
  if (event.data.action !== 'push') return ignored(`ACR action '${event.data.action}' is not an image push`);
  const push = acrPushSchema.safeParse(body);
  if (!push.success) return fail(validationError(push.error, what, pointer));
  const { target, request } = push.data;
  const id = deliveryId ?? push.data.id;
  if (!realTag(target.tag)) return ignored('no tagged image in the push');
  return delivery(id, [pushEvent(`${request.host}/${target.repository}`, target.tag, target.digest, id, `${pointer}/target`)]);
}

export const parseAcr = (input: WebhookInput): Result<Delivery> => acrEvent(input.body, undefined, 'The ACR webhook payload');
