// What the registry webhook answers: the plan (and, unless it was a dry run,
// the revisions it made), or why the delivery was ignored.
import { z } from 'zod';

const change = z.object({
  deploymentId: z.string(),
  module: z.string(),
  from: z.string().meta({ description: 'The image the module ran', example: 'fleetacr.azurecr.io/edge/sensor:1.4.2' }),
  to: z.string().meta({ description: 'The image it runs in the new revision, in the form the deployment wrote it', example: 'fleetacr.azurecr.io/edge/sensor:1.4.3' }),
  reason: z.string().meta({ example: 'semver patch: 1.4.2 -> 1.4.3' }),
});

export const pushReportSchema = z
  .object({
    provider: z.string(),
    deliveryId: z.string(),
    dryRun: z.boolean().meta({ description: 'true: nothing was changed; `changes` is what would change' }),
    pushes: z.array(z.object({ repository: z.string(), tag: z.string(), digest: z.string().optional() })),
    changes: z.array(change).meta({ description: 'Every module moved to a new image (one revision per deployment)' }),
    skipped: z
      .array(z.object({ deploymentId: z.string(), module: z.string(), pushed: z.string(), reason: z.string() }))
      .meta({ description: 'Modules of the pushed repository whose update policy refused the push, and why' }),
    revisions: z
      .array(z.object({ deploymentId: z.string(), revision: z.int(), converged: z.boolean().meta({ description: 'false: the reconciler finishes some hub' }) }))
      .meta({ description: 'The revisions made (none on a dry run)' }),
    failed: z
      .array(z.object({ deploymentId: z.string(), code: z.string(), message: z.string() }))
      .meta({ description: 'Deployments the push could not change (deleted meanwhile, no hub selected any more, ...)' }),
  })
  .meta({ id: 'RegistryPushResult' });
export type PushReport = z.infer<typeof pushReportSchema>;

export const ignoredDeliverySchema = z
  .object({ provider: z.string(), ignored: z.literal(true), reason: z.string().meta({ example: 'ping' }) })
  .meta({ id: 'RegistryWebhookIgnored' });
export type IgnoredDelivery = z.infer<typeof ignoredDeliverySchema>;
