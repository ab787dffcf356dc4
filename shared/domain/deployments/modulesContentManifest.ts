// Manifest form 1: an IoT Edge `modulesContent` as the portal and the VS Code
// tooling write it, validated after Azure/iotedge doc/deployment-schema.json.
// Registry credentials are the exception: they are referenced by name, because
// desired state is stored and secrets must never be.
import { z } from 'zod';
import { toPointer } from '../../errors';
import { updatePolicySchema } from '../registry/updatePolicySchema';
import { CHUNK_KEY, createOptionsProblem, joinCreateOptions } from './createOptions';
import type { ModuleInput } from './edgeContent';
import { credentialRefs, type ManifestTranslation } from './manifestForm';
import {
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

const settingsSchema = z
  .object({ image: imageSchema, createOptions: z.union([z.string(), z.record(z.string(), z.unknown())]).optional() })
  .catchall(z.string())
  .superRefine((settings, ctx) => {
    for (const key of Object.keys(settings)) {
      if (key !== 'image' && !CHUNK_KEY.test(key)) ctx.addIssue({ code: 'custom', path: [key], message: 'is not a module setting' });
    }
    const joined = joinCreateOptions(settings);
    if ('error' in joined) return ctx.addIssue({ code: 'custom', path: [joined.key], message: joined.error });
    const problem = typeof settings.createOptions === 'object' ? undefined : createOptionsProblem(joined.text);
    if (problem) ctx.addIssue({ code: 'custom', path: ['createOptions'], message: `createOptions ${problem}` });
  });

const envSchema = z.record(z.string().regex(ENV_NAME, 'is not an environment variable name'), z.strictObject({ value: envValueSchema }));
const dockerType = z.literal('docker');

const moduleSchema = z.strictObject({
  version: z.string().max(64).optional(),
  type: dockerType,
  status: statusSchema.optional(),
  restartPolicy: restartPolicySchema.optional(),
  startupOrder: startupOrderSchema.optional(),
  imagePullPolicy: imagePullPolicySchema.optional(),
  env: envSchema.optional(),
  settings: settingsSchema,
});

const edgeAgentDesiredSchema = z.strictObject({
  schemaVersion: z.enum(['1.0', '1.1']),
  runtime: z.strictObject({
    type: dockerType,
    settings: z.strictObject({
      minDockerVersion: z.string().optional(),
      loggingOptions: z.string().optional(),
      registryCredentials: z
        .record(z.string(), z.unknown())
        .refine((c) => Object.keys(c).length === 0, 'must be empty: list credential names in manifest.registryCredentials; secrets come from the app settings')
        .optional(),
    }),
  }),
  systemModules: z.strictObject({
    edgeAgent: z.strictObject({ type: dockerType, settings: settingsSchema, env: envSchema.optional() }),
    edgeHub: z.strictObject({
      type: dockerType,
      status: statusSchema.optional(),
      restartPolicy: restartPolicySchema.optional(),
      startupOrder: startupOrderSchema.optional(),
      settings: settingsSchema,
      env: envSchema.optional(),
    }),
  }),
  modules: z.record(moduleNameSchema, moduleSchema).default({}),
});

const edgeHubDesiredSchema = z
  .strictObject({
    schemaVersion: z.enum(['1.0', '1.1', '1.2']),
    routes: routesSchema,
    storeAndForwardConfiguration: z.strictObject({ timeToLiveSecs: z.int().min(0) }).optional(),
  })
  .superRefine((hub, ctx) => {
    // Route priority and TTL arrived with edgeHub schema 1.1; a 1.0 edgeHub rejects the whole twin.
    if (hub.schemaVersion !== '1.0') return;
    for (const [name, route] of Object.entries(hub.routes)) {
      if (typeof route !== 'string') ctx.addIssue({ code: 'custom', path: ['routes', name], message: 'object routes need schemaVersion 1.1 or later' });
    }
  });

const twinSchema = z.strictObject({ 'properties.desired': z.record(z.string(), z.unknown()) });

export const modulesContentSchema = z
  .object({
    $edgeAgent: z.strictObject({ 'properties.desired': edgeAgentDesiredSchema }),
    $edgeHub: z.strictObject({ 'properties.desired': edgeHubDesiredSchema }),
  })
  .catchall(twinSchema)
  .superRefine((content, ctx) => {
    const modules = content.$edgeAgent['properties.desired'].modules;
    for (const key of Object.keys(content)) {
      if (key !== '$edgeAgent' && key !== '$edgeHub' && !(key in modules)) {
        ctx.addIssue({ code: 'custom', path: [key], message: 'names no module in $edgeAgent modules' });
      }
    }
  })
  .meta({ description: 'IoT Edge modulesContent ($edgeAgent, $edgeHub and module twins), as in a deployment manifest' });

export const modulesContentManifestSchema = z
  .strictObject({
    modulesContent: modulesContentSchema,
    registryCredentials: registryCredentialNamesSchema.optional(),
    updatePolicies: z
      .record(moduleNameSchema, updatePolicySchema)
      .optional()
      .meta({ description: 'How modules follow new image pushes, by module name' }),
  })
  .meta({ description: 'Manifest form 1: IoT Edge modulesContent' });
export type ModulesContentManifest = z.infer<typeof modulesContentManifestSchema>;

const settingsInput = (s: z.infer<typeof settingsSchema>): Pick<ModuleInput, 'image' | 'createOptions'> => {
  const joined = joinCreateOptions(s);
  return { image: s.image, createOptions: typeof s.createOptions === 'object' ? s.createOptions : 'text' in joined ? joined.text : '{}' };
};
const envInput = (env: z.infer<typeof envSchema> | undefined) =>
  env && Object.fromEntries(Object.entries(env).map(([k, v]) => [k, v.value]));

export function translateModulesContent(manifest: ModulesContentManifest, pointer: string): ManifestTranslation {
  const { $edgeAgent, $edgeHub, ...twins } = manifest.modulesContent;
  const agent = $edgeAgent['properties.desired'];
  const hub = $edgeHub['properties.desired'];
  const { edgeAgent, edgeHub } = agent.systemModules;
  const modules = Object.fromEntries(
    Object.entries(agent.modules).map(([name, m]): [string, ModuleInput] => [
      name,
      { ...m, env: envInput(m.env), ...settingsInput(m.settings) },
    ]),
  );
  return {
    parts: {
      schemaVersion: agent.schemaVersion,
      edgeHubSchemaVersion: hub.schemaVersion,
      minDockerVersion: agent.runtime.settings.minDockerVersion,
      loggingOptions: agent.runtime.settings.loggingOptions,
      edgeAgent: { ...settingsInput(edgeAgent.settings), env: envInput(edgeAgent.env) },
      edgeHub: { ...edgeHub, ...settingsInput(edgeHub.settings), env: envInput(edgeHub.env) },
      modules,
      routes: hub.routes,
      storeAndForwardTimeToLiveSecs: hub.storeAndForwardConfiguration?.timeToLiveSecs,
      twins: Object.fromEntries(Object.entries(twins).map(([name, t]) => [name, t['properties.desired']])),
    },
    credentials: credentialRefs(manifest.registryCredentials, `${pointer}/registryCredentials`),
    updatePolicies: manifest.updatePolicies ?? {},
    // Content paths are the request paths here, except that chunks are named by their first key.
    locate: (path) => toPointer(path, `${pointer}/modulesContent`),
  };
}
