// Query parameters of the device health read APIs.
import type { HttpRequest } from '@azure/functions';
import { z } from 'zod';
import { HEALTH_STATES } from '../domain/health/healthKeys';
import type { HealthState } from '../domain/health/deviceHealth';
import { listQuerySchema } from './paging';
import { validationError } from './problem';

export const deploymentDevicesQuerySchema = listQuerySchema.pick({ pageSize: true, continuationToken: true }).extend({
  state: z.enum(HEALTH_STATES as [HealthState, ...HealthState[]]).optional().meta({ description: 'Only devices in this state' }),
  revision: z.coerce.number().int().min(1).optional().meta({ description: "The revision whose devices to list; the deployment's current one by default" }),
});

export function parseDeploymentDevicesQuery(request: HttpRequest): z.infer<typeof deploymentDevicesQuerySchema> {
  const parsed = deploymentDevicesQuerySchema.safeParse(Object.fromEntries(request.query));
  if (!parsed.success) throw validationError(parsed.error, 'The query', '?');
  return parsed.data;
}

export const deadLettersQuerySchema = listQuerySchema.pick({ pageSize: true, continuationToken: true });

export function parseDeadLettersQuery(request: HttpRequest): z.infer<typeof deadLettersQuerySchema> {
  const parsed = deadLettersQuerySchema.safeParse(Object.fromEntries(request.query));
  if (!parsed.success) throw validationError(parsed.error, 'The query', '?');
  return parsed.data;
}
