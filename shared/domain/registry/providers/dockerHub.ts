// Docker Hub repository webhooks: only pushes exist, with the tag but neither a
// digest nor a delivery id; the push time stands in for the id.
import { z } from 'zod';
import { validationError } from '../../../http/problem';
import { fail, type Result } from '../../deployments/result';
import { type Delivery, delivery, derivedDeliveryId, ignored, pushEvent, realTag, type WebhookInput } from '../pushEvent';

const dockerHubSchema = z.object({
  push_data: z.object({
    tag: z.string().nullish(),
    pushed_at: z.number().optional(),
  }),
  repository: z.object({ repo_name: z.string().min(1) }),
});

export function parseDockerHub(input: WebhookInput): Result<Delivery> {
  const parsed = dockerHubSchema.safeParse(input.body);
  if (!parsed.success) return fail(validationError(parsed.error, 'The Docker Hub webhook payload'));
  const { push_data: push, repository } = parsed.data;
  if (!realTag(push.tag)) return ignored('no tagged image in the push');
  const id = derivedDeliveryId('dockerhub', repository.repo_name, push.tag, push.pushed_at);
  return delivery(id, [pushEvent(`docker.io/${repository.repo_name}`, push.tag, undefined, id, '/repository/repo_name')]);
}
