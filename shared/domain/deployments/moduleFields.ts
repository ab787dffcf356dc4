// Field schemas shared by the modulesContent and compact manifest forms, after
// Azure/iotedge doc/deployment-schema.json.
import { z } from 'zod';
import { createOptionsProblem } from './createOptions';
import { isImageReferenceError, parseImageReference } from './imageReference';

/** Module names are twin property names in $edgeAgent.modules, so no '.' (twin keys exclude it). */
export const MODULE_NAME_PATTERN = /^[a-zA-Z0-9][a-zA-Z0-9_-]{0,127}$/;
/** System module names; a user module with one of these names would shadow the runtime. */
export const RESERVED_MODULE_NAMES = ['edgeAgent', 'edgeHub', '$edgeAgent', '$edgeHub'];

export const moduleNameSchema = z
  .string()
  .regex(MODULE_NAME_PATTERN, "must start with a letter or digit and use only letters, digits, '_', '-' (at most 128)")
  .refine((n) => !RESERVED_MODULE_NAMES.includes(n), 'is reserved for the IoT Edge runtime');

export const imageSchema = z
  .string()
  .superRefine((ref, ctx) => {
    const parsed = parseImageReference(ref);
    if (isImageReferenceError(parsed)) ctx.addIssue({ code: 'custom', message: `image reference ${parsed.error}` });
  })
  .meta({ description: 'Docker image reference: [registry[:port]/]path[:tag][@digest]', example: 'mcr.microsoft.com/azureiotedge-simulated-temperature-sensor:1.5' });

export const statusSchema = z.enum(['running', 'stopped']).meta({ description: 'Desired module status' });
export const restartPolicySchema = z.enum(['never', 'on-failure', 'on-unhealthy', 'always']).meta({ description: 'When edgeAgent restarts the module' });
export const imagePullPolicySchema = z.enum(['on-create', 'never']).meta({ description: 'Pull when the module is created, or never (image preloaded)' });
export const startupOrderSchema = z.int().min(0).max(4294967295).meta({ description: 'Lower starts first; unset starts last' });

export const ENV_NAME = /^[^=\s]{1,256}$/;
export const envValueSchema = z.union([z.string(), z.number(), z.boolean()]);

export const createOptionsSchema = z
  .union([z.string(), z.record(z.string(), z.unknown())])
  .superRefine((value, ctx) => {
    const problem = createOptionsProblem(value);
    if (problem) ctx.addIssue({ code: 'custom', message: `createOptions ${problem}` });
  })
  .meta({
    description: 'Docker container create options (Engine API), as a JSON object or a string holding one; chunked automatically past 512 characters',
    example: { HostConfig: { PortBindings: { '8080/tcp': [{ HostPort: '8080' }] } } },
  });

export const routeSchema = z
  .union([
    z.string().min(1),
    z.strictObject({
      route: z.string().min(1),
      priority: z.int().min(0).max(9).optional(),
      timeToLiveSecs: z.int().min(0).optional(),
    }),
  ])
  .meta({ description: 'edgeHub route: "FROM ... INTO ..." or (schema 1.1) {route, priority, timeToLiveSecs}', example: 'FROM /messages/* INTO $upstream' });
export const routesSchema = z.record(z.string().min(1).max(128), routeSchema);
export type Route = z.infer<typeof routeSchema>;

export const registryCredentialNamesSchema = z
  .array(z.string().min(1))
  .max(20)
  .meta({ description: 'Names of registry credentials configured in the REGISTRY_CREDENTIALS app setting (never the secrets themselves)', example: ['acr-prod'] });
