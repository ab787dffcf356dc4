// CloudEvents 1.0 over HTTP, as Event Grid delivers ACR's
// Microsoft.ContainerRegistry.ImagePushed: structured mode (the event is the
// JSON body, or a batch of them), or binary mode (attributes in `ce-*`
// headers, the body is the data). The data is the ACR webhook event object.
import { z } from 'zod';
import { validationError } from '../../../http/problem';
import { fail, invalid, ok, type Result } from '../../deployments/result';
import { type Delivery, derivedDeliveryId, type PushEvent, type WebhookInput } from '../pushEvent';
import { acrEvent } from './acr';

export const IMAGE_PUSHED = 'Microsoft.ContainerRegistry.ImagePushed';
const MAX_BATCH = 100;

const cloudEventSchema = z.object({
  specversion: z.literal('1.0'),
  id: z.string().min(1).max(200),
  source: z.string().min(1),
  type: z.string().min(1),
  data: z.unknown().optional(),
});
type CloudEvent = z.infer<typeof cloudEventSchema>;

/** Binary mode: the attributes from `ce-*` headers, the body is `data`. */
function binaryEvent(input: WebhookInput): unknown {
  const h = input.headers;
  return { specversion: h['ce-specversion'], id: h['ce-id'], source: h['ce-source'], type: h['ce-type'], data: input.body };
}

function eventDelivery(event: CloudEvent, pointer: string): Result<Delivery> {
  if (event.type !== IMAGE_PUSHED) return ok({ kind: 'ignored', reason: `CloudEvent type '${event.type}' is not ${IMAGE_PUSHED}` });
  return acrEvent(event.data, event.id, 'The ImagePushed event data', `${pointer}/data`);
}

export function parseCloudEvents(input: WebhookInput): Result<Delivery> {
  const batch = !input.headers['ce-specversion'] && Array.isArray(input.body);
  const raw: readonly unknown[] = input.headers['ce-specversion'] ? [binaryEvent(input)] : batch ? (input.body as unknown[]) : [input.body];
  if (raw.length === 0 || raw.length > MAX_BATCH) return invalid('The CloudEvents batch', [{ pointer: '', detail: `must hold 1 to ${MAX_BATCH} events`, code: 'too_big' }]);
  const ids: string[] = [];
  const pushes: PushEvent[] = [];
  const reasons = new Set<string>();
  for (const [i, item] of raw.entries()) {
    const pointer = batch ? `/${i}` : '';
    const event = cloudEventSchema.safeParse(item);
    if (!event.success) return fail(validationError(event.error, 'The CloudEvent', pointer));
    ids.push(event.data.id);
    const one = eventDelivery(event.data, pointer);
    if (!one.ok) return one;
    if (one.value.kind === 'push') pushes.push(...one.value.pushes);
    else reasons.add(one.value.reason);
  }
  if (!pushes.length) return ok({ kind: 'ignored', reason: [...reasons].join('; ') });
  return ok({ kind: 'push', deliveryId: ids.length === 1 ? ids[0]! : derivedDeliveryId('cloudevents', ...ids), pushes });
}
