// Our own webhook format, for registries and CI systems without a native
// webhook: signed with HMAC-SHA256 (X-Signature-256), documented in OpenAPI.
import { z } from 'zod';
import { validationError } from '../../../http/problem';
import { fail, type Result } from '../../deployments/result';
import { type Delivery, delivery, ignored, pushEvent, type WebhookInput } from '../pushEvent';

export const genericPayloadSchema = z
  .object({
    id: z.string().min(1).max(200).meta({ description: 'Unique per delivery: a redelivery with the same id gets the first answer', example: 'ci-run-4711' }),
    type: z.string().min(1).meta({ description: '`push`; anything else (`ping`, `delete`) is acknowledged and ignored', example: 'push' }),
    pushes: z
      .array(
        z.object({
          image: z.string().min(1).meta({ description: 'The repository, without tag', example: 'myacr.azurecr.io/edge/sensor' }),
          tag: z.string().min(1),
          digest: z.string().optional().meta({ example: `sha256:${'0'.repeat(64)}` }),
        }),
      )
      .max(100)
      .default([]),
  })
  .meta({ id: 'GenericRegistryWebhook', description: 'The generic registry webhook body; sign the raw bytes: X-Signature-256: sha256=<hex HMAC-SHA256>' });

export function parseGeneric(input: WebhookInput): Result<Delivery> {
  const parsed = genericPayloadSchema.safeParse(input.body);
  if (!parsed.success) return fail(validationError(parsed.error, 'The webhook payload'));
  const { id, type, pushes } = parsed.data;
  if (type !== 'push') return ignored(`event type '${type}' is not a push`);
  return delivery(id, pushes.map((p, i) => pushEvent(p.image, p.tag, p.digest, id, `/pushes/${i}`)));
}
