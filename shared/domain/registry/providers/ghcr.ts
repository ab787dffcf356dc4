// GitHub Packages (ghcr.io) webhooks: `package` and `registry_package` events,
// `X-GitHub-Event` names the event and `X-GitHub-Delivery` the delivery. Only
// a published container version with a tag is a push; GitHub owner names are
// mixed case, ghcr.io paths are not.
import { z } from 'zod';
import { validationError } from '../../../http/problem';
import { fail, invalid, type Result } from '../../deployments/result';
import { type Delivery, delivery, derivedDeliveryId, ignored, pushEvent, realTag, type WebhookInput } from '../pushEvent';

const packageSchema = z.object({
  name: z.string().min(1),
  package_type: z.string().optional(),
  ecosystem: z.string().optional(),
  owner: z.object({ login: z.string().min(1) }),
  package_version: z
    .object({
      container_metadata: z
        .object({ tag: z.object({ name: z.string().nullish(), digest: z.string().nullish() }).nullish() })
        .nullish(),
    })
    .nullish(),
});

const ghcrSchema = z.object({ action: z.string() }).and(
  z.union([z.object({ package: packageSchema }), z.object({ registry_package: packageSchema })]),
);

const PACKAGE_EVENTS = new Set(['package', 'registry_package']);
const isContainer = (p: z.infer<typeof packageSchema>) => [p.package_type, p.ecosystem].some((t) => t !== undefined && /^(container|docker)$/i.test(t));

export function parseGhcr(input: WebhookInput): Result<Delivery> {
  const event = input.headers['x-github-event'];
  if (!event) return invalid('The GitHub webhook', [{ pointer: '', detail: 'the X-GitHub-Event header is missing', code: 'missing_header' }]);
  if (!PACKAGE_EVENTS.has(event)) return ignored(event === 'ping' ? 'ping' : `GitHub event '${event}' is not a package event`);
  const parsed = ghcrSchema.safeParse(input.body);
  if (!parsed.success) return fail(validationError(parsed.error, 'The GitHub package event'));
  const [key, pkg] = 'package' in parsed.data ? ['package', parsed.data.package] : ['registry_package', parsed.data.registry_package];
  if (parsed.data.action !== 'published') return ignored(`package action '${parsed.data.action}' is not a publish`);
  if (!isContainer(pkg)) return ignored(`package type '${pkg.package_type ?? pkg.ecosystem ?? 'unknown'}' is not a container image`);
  const tag = pkg.package_version?.container_metadata?.tag;
  if (!realTag(tag?.name)) return ignored('no tagged image in the push');
  const image = `ghcr.io/${pkg.owner.login.toLowerCase()}/${pkg.name.toLowerCase()}`;
  const id = input.headers['x-github-delivery'] || derivedDeliveryId('ghcr', image, tag.name, tag.digest ?? undefined);
  return delivery(id, [pushEvent(image, tag.name, tag.digest ?? undefined, id, `/${key}/package_version/container_metadata/tag`)]);
}
