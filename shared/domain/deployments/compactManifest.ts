// Manifest form 2: just the modules and routes; the runtime (edgeAgent/edgeHub
// 1.5, schema 1.1) is filled in. The shortest way to say "run this image".
import { z } from 'zod';
import { toPointer } from '../../errors';
import { updatePolicySchema } from '../registry/updatePolicySchema';
import { DEFAULT_EDGE_AGENT_IMAGE, DEFAULT_EDGE_HUB_CREATE_OPTIONS, DEFAULT_EDGE_HUB_IMAGE, DEFAULT_ROUTES, DEFAULT_SCHEMA_VERSION } from './edgeContent';
import { credentialRefs, type ManifestTranslation } from './manifestForm';
import {
  createOptionsSchema,
  ENV_NAME,
  envValueSchema,
  imagePullPolicySchema,
  imageSchema,
  moduleNameSchema,
  registryCredentialNamesSchema,
  restartPolicySchema,
  routesSchema,
  startupOrderSchema,
  statusSchema,
} from './moduleFields';

export const compactModuleSchema = z.strictObject({
  image: imageSchema,
  version: z.string().max(64).optional().meta({ description: 'Module version label (default 1.0)' }),
  env: z
    .record(z.string().regex(ENV_NAME, 'is not an environment variable name'), envValueSchema)
    .optional()
    .meta({ description: 'Environment variables, literal values', example: { MessageCount: '500' } }),
  createOptions: createOptionsSchema.optional(),
  restartPolicy: restartPolicySchema.optional(),
  status: statusSchema.optional(),
  startupOrder: startupOrderSchema.optional(),
  imagePullPolicy: imagePullPolicySchema.optional(),
  updatePolicy: updatePolicySchema.optional().meta({ description: 'How the module follows new image pushes (registry webhooks)' }),
  desiredProperties: z
    .record(z.string(), z.unknown())
    .optional()
    .meta({ description: "The module twin's desired properties" }),
});

export const compactManifestSchema = z
  .strictObject({
    modules: z
      .record(moduleNameSchema, compactModuleSchema)
      .refine((m) => Object.keys(m).length > 0, 'must hold at least one module')
      .meta({ description: 'Modules by name' }),
    routes: routesSchema.optional().meta({ description: 'edgeHub routes (default: everything upstream)', example: DEFAULT_ROUTES }),
    storeAndForwardTimeToLiveSecs: z.int().min(0).optional().meta({ description: 'How long edgeHub keeps messages while offline (default 7200)' }),
    registryCredentials: registryCredentialNamesSchema.optional(),
  })
  .meta({ description: 'Manifest form 2: compact modules and routes; system modules are added' });
export type CompactManifest = z.infer<typeof compactManifestSchema>;

export function translateCompact(manifest: CompactManifest, pointer: string): ManifestTranslation {
  const twins: Record<string, Record<string, unknown>> = {};
  const updatePolicies: ManifestTranslation['updatePolicies'] = {};
  const modules = Object.fromEntries(
    Object.entries(manifest.modules).map(([name, m]) => {
      const { updatePolicy, desiredProperties, ...module } = m;
      if (desiredProperties) twins[name] = desiredProperties;
      if (updatePolicy) Object.assign(updatePolicies, { [name]: updatePolicy });
      return [name, module];
    }),
  );
  return {
    parts: {
      schemaVersion: DEFAULT_SCHEMA_VERSION,
      edgeAgent: { image: DEFAULT_EDGE_AGENT_IMAGE },
      edgeHub: { image: DEFAULT_EDGE_HUB_IMAGE, createOptions: DEFAULT_EDGE_HUB_CREATE_OPTIONS },
      modules,
      routes: manifest.routes ?? DEFAULT_ROUTES,
      storeAndForwardTimeToLiveSecs: manifest.storeAndForwardTimeToLiveSecs,
      twins,
    },
    credentials: credentialRefs(manifest.registryCredentials, `${pointer}/registryCredentials`),
    updatePolicies,
    policyPointer: (name) => toPointer(['modules', name, 'updatePolicy'], pointer),
    locate: (path) => locateCompact(path, pointer),
  };
}

/** Content paths back to what the user wrote in the compact form. */
function locateCompact(path: readonly string[], pointer: string): string {
  const [twin, , section, name, ...rest] = path;
  const inner = path.slice(2);
  if (twin === '$edgeAgent' && section === 'modules' && name !== undefined) {
    const field = rest[0] === 'settings' ? rest.slice(1) : rest;
    // env.NAME.value -> env/NAME; chunked createOptions -> createOptions.
    return toPointer(['modules', name, ...field.slice(0, field[0] === 'env' ? 2 : 1)], pointer);
  }
  if (twin === '$edgeAgent') return toPointer(['modules'], pointer);
  if (twin === '$edgeHub') return toPointer(['routes'], pointer);
  if (twin !== undefined) return toPointer(['modules', twin, 'desiredProperties', ...inner], pointer);
  return pointer;
}
