// Manifest form 1: an IoT Edge `modulesContent`, as the portal, the VS Code
// tooling, iotedgedev and the az CLI write it ({"modulesContent"} or
// {"content": {"modulesContent"}}), base or layered. Kept as written: fields we
// do not know are kept too, because the runtime reads them (Newtonsoft ignores
// nothing it understands and we must not drop what it does). Refused is only
// what IoT Hub or the IoT Edge runtime refuses; docs/manifests.md lists each
// rule with its source. The one change: createOptions become canonical chunks,
// and registry credentials leave the content for the secret store.
import { z } from 'zod';
import { type FieldIssue, toPointer } from '../../errors';
import { updatePolicySchema } from '../registry/updatePolicySchema';
import { canonicalize, isPlainObject } from './canonicalJson';
import { canonicalCreateOptions, CHUNK_KEY, chunkCreateOptions, createOptionsProblem, joinCreateOptions } from './createOptions';
import type { ModulesContent } from './edgeContent';
import { extractInlineCredentials, type InlineCredential } from './inlineCredentials';
import { BASE_KEY, type DeploymentKind, kindOf, layeredContent } from './layered';
import { credentialRefs, type ManifestTranslation } from './manifestForm';
import { ENV_NAME, envValueSchema, imagePullPolicySchema, imageSchema, moduleNameSchema, registryCredentialNamesSchema, restartPolicySchema, startupOrderSchema, statusSchema } from './moduleFields';
import type { DeploymentWarning } from './warnings';

/** edgeAgent: major 1, minor 0 or 1 (iotedge edge-agent EdgeAgentConnection.ValidateSchemaVersion, .NET Version syntax). */
const AGENT_SCHEMA = /^1\.[01](?:\.\d+){0,2}$/;
/** edgeHub: the desired-properties DTOs EdgeHubDesiredProperties_1_0 .. _1_3 (iotedge edge-hub core config). */
const HUB_SCHEMA = /^1\.[0-3](?:\.\d+){0,2}$/;

const createOptionsValue = z.union([z.string(), z.record(z.string(), z.unknown())]);

const settingsSchema = z
  .looseObject({ image: imageSchema, createOptions: createOptionsValue.optional() })
  .superRefine((settings, ctx) => {
    // An object is what the dev tools stringify before deploying; it has no chunks of its own.
    if (typeof settings.createOptions === 'object') {
      const chunk = Object.keys(settings).find((k) => k !== 'createOptions' && CHUNK_KEY.test(k));
      if (chunk) ctx.addIssue({ code: 'custom', path: [chunk], message: 'follows a createOptions written as an object; chunks continue a string' });
      return;
    }
    const joined = joinCreateOptions(settings);
    if ('error' in joined) return ctx.addIssue({ code: 'custom', path: [joined.key], message: joined.error });
    // "" is what Microsoft's templates write; edgeAgent reads it as no options.
    if (joined.text === '') return;
    const problem = createOptionsProblem(joined.text);
    if (problem) ctx.addIssue({ code: 'custom', path: ['createOptions'], message: `createOptions ${problem} (edgeAgent refuses the deployment: 400 ConfigFormatError)` });
  });

const envSchema = z.record(z.string().regex(ENV_NAME, 'is not an environment variable name'), z.looseObject({ value: envValueSchema }));
const dockerType = z.literal('docker', 'edgeAgent runs docker modules only');

const moduleSchema = z.looseObject({
  version: z.string().optional(),
  type: dockerType,
  status: statusSchema.optional(),
  restartPolicy: restartPolicySchema.optional(),
  startupOrder: startupOrderSchema.optional(),
  imagePullPolicy: imagePullPolicySchema.optional(),
  env: envSchema.optional(),
  settings: settingsSchema,
});

const credentialSchema = z.looseObject({ username: z.string(), password: z.string(), address: z.string() });

const edgeAgentDesiredSchema = z
  .looseObject({
    schemaVersion: z.string().regex(AGENT_SCHEMA, 'edgeAgent reads schema 1.0 and 1.1 (other versions: 412 InvalidSchemaVersion on the device)'),
    runtime: z.looseObject({
      type: dockerType,
      settings: z.looseObject({
        minDockerVersion: z.string().optional(),
        loggingOptions: z.string().optional(),
        registryCredentials: z.record(z.string(), credentialSchema).optional(),
      }),
    }),
    systemModules: z.looseObject({
      edgeAgent: z.looseObject({ type: dockerType, settings: settingsSchema, env: envSchema.optional() }),
      edgeHub: z.looseObject({
        type: dockerType,
        status: statusSchema.optional(),
        restartPolicy: restartPolicySchema.optional(),
        startupOrder: startupOrderSchema.optional(),
        settings: settingsSchema,
        env: envSchema.optional(),
      }),
    }),
    modules: z.record(moduleNameSchema, moduleSchema).optional(),
  })
  .superRefine((agent, ctx) => {
    // Startup order arrived with schema 1.1; edgeAgent refuses it on 1.0 (ValidateSchemaVersion).
    if (!/^1\.0(?:\.|$)/.test(agent.schemaVersion)) return;
    for (const [name, m] of Object.entries(agent.modules ?? {})) {
      if (m.startupOrder !== undefined) ctx.addIssue({ code: 'custom', path: ['modules', name, 'startupOrder'], message: 'startupOrder needs edgeAgent schemaVersion 1.1 (edgeAgent refuses it on 1.0)' });
    }
  });

const routeSchema = z.union([
  z.string().min(1),
  z.looseObject({ route: z.string().min(1), priority: z.int().min(0).max(9).optional(), timeToLiveSecs: z.int().min(0).optional() }),
]);

const edgeHubDesiredSchema = z
  .looseObject({
    schemaVersion: z.string().regex(HUB_SCHEMA, 'edgeHub reads schema 1.0 to 1.3'),
    routes: z.record(z.string().min(1), routeSchema),
    storeAndForwardConfiguration: z.looseObject({ timeToLiveSecs: z.int().min(0) }).optional(),
  })
  .superRefine((hub, ctx) => {
    // EdgeHubDesiredProperties_1_0 reads routes as strings: an object route fails the whole twin.
    if (!/^1\.0(?:\.|$)/.test(hub.schemaVersion)) return;
    for (const [name, route] of Object.entries(hub.routes)) {
      if (typeof route !== 'string') ctx.addIssue({ code: 'custom', path: ['routes', name], message: 'object routes need edgeHub schemaVersion 1.1 or later' });
    }
  });

const baseTwinsSchema = z.looseObject({
  $edgeAgent: z.looseObject({ [BASE_KEY]: edgeAgentDesiredSchema }),
  $edgeHub: z.looseObject({ [BASE_KEY]: edgeHubDesiredSchema }),
});
const twinObject = z.record(z.string(), z.unknown());
const modulesContentObject = z.record(z.string(), twinObject).meta({ description: 'IoT Edge modulesContent ($edgeAgent, $edgeHub and module twins), base or layered' });

const manifestExtras = {
  registryCredentials: registryCredentialNamesSchema.optional(),
  updatePolicies: z.record(moduleNameSchema, updatePolicySchema).optional().meta({ description: 'How modules follow new image pushes, by module name' }),
  /** iotedgedev templates carry their template schema version; it means nothing to IoT Hub. */
  '$schema-template': z.string().optional(),
};

export const modulesContentManifestSchema = z
  .union([
    z.strictObject({ modulesContent: modulesContentObject, ...manifestExtras }),
    z.strictObject({ content: z.looseObject({ modulesContent: modulesContentObject }), ...manifestExtras }),
  ])
  .meta({ description: 'Manifest form 1: IoT Edge modulesContent ({"modulesContent"} or the az CLI {"content": {"modulesContent"}})' });
export type ModulesContentManifest = z.infer<typeof modulesContentManifestSchema>;

/** A module's settings with createOptions as canonical chunks; other settings kept. */
function canonicalSettings(settings: Record<string, unknown>): Record<string, unknown> {
  const rest = Object.fromEntries(Object.entries(settings).filter(([k]) => !CHUNK_KEY.test(k)));
  if (!Object.keys(settings).some((k) => CHUNK_KEY.test(k))) return rest;
  const value = typeof settings.createOptions === 'object' ? (settings.createOptions as Record<string, unknown>) : undefined;
  const joined = value ? undefined : joinCreateOptions(settings);
  const text = joined && 'text' in joined ? joined.text : '';
  // "" stays "" (the templates' default); anything else is one canonical JSON text, re-chunked.
  return { ...rest, ...(value || text !== '' ? chunkCreateOptions(canonicalCreateOptions(value ?? text)) : { createOptions: '' }) };
}

function mapModules(modules: unknown, f: (m: Record<string, unknown>) => Record<string, unknown>): unknown {
  return isPlainObject(modules) ? Object.fromEntries(Object.entries(modules).map(([n, m]) => [n, isPlainObject(m) ? f(m) : m])) : modules;
}
const withSettings = (m: Record<string, unknown>) => (isPlainObject(m.settings) ? { ...m, settings: canonicalSettings(m.settings) } : m);

/** createOptions canonical everywhere a module sits: system modules, modules, layered module keys. */
function canonicalModules(content: Record<string, Record<string, unknown>>): Record<string, Record<string, unknown>> {
  const agent = content.$edgeAgent;
  if (!agent) return content;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(agent)) {
    if (key === BASE_KEY && isPlainObject(value)) {
      out[key] = { ...value, systemModules: mapModules(value.systemModules, withSettings), modules: mapModules(value.modules, withSettings) };
      if (value.systemModules === undefined) delete (out[key] as Record<string, unknown>).systemModules;
      if (value.modules === undefined) delete (out[key] as Record<string, unknown>).modules;
    } else out[key] = key.startsWith(`${BASE_KEY}.modules.`) && isPlainObject(value) ? withSettings(value) : value;
  }
  return { ...content, $edgeAgent: out };
}

const innerContent = (m: ModulesContentManifest) => ('modulesContent' in m ? m.modulesContent : m.content.modulesContent);

/** The manifest as canonical content, or every problem with a pointer into the request. */
export function translateModulesContent(manifest: ModulesContentManifest, pointer: string): { translation: ManifestTranslation } | { issues: FieldIssue[] } {
  const contentPath = 'modulesContent' in manifest ? ['modulesContent'] : ['content', 'modulesContent'];
  const locate = (path: readonly string[]) => toPointer([...contentPath, ...path], pointer);
  const raw = innerContent(manifest);
  const kind: DeploymentKind = kindOf(raw);
  const issues: FieldIssue[] = [];
  const warnings: DeploymentWarning[] = [];

  if (kind === 'base') {
    const parsed = baseTwinsSchema.safeParse(raw);
    if (!parsed.success) return { issues: parsed.error.issues.map((i) => ({ pointer: locate(i.path.map(String)), detail: i.message, code: i.code })) };
    for (const [twin, sections] of Object.entries(raw)) {
      for (const key of Object.keys(sections)) {
        if (key !== BASE_KEY) issues.push({ pointer: locate([twin, key]), detail: `is not a twin section of a base deployment: use '${BASE_KEY}'`, code: 'invalid_twin_section' });
        else if (!isPlainObject(sections[key])) issues.push({ pointer: locate([twin, key]), detail: 'must be an object of desired properties', code: 'invalid_type' });
      }
    }
    const agent = parsed.data.$edgeAgent[BASE_KEY];
    const modules = agent.modules ?? {};
    for (const twin of Object.keys(raw)) {
      // IoT Hub accepts a twin for a module this deployment does not run (another deployment may); edgeAgent never starts one.
      if (twin !== '$edgeAgent' && twin !== '$edgeHub' && !(twin in modules)) {
        warnings.push({ code: 'twin_without_module', pointer: locate([twin]), detail: `no module '${twin}' in $edgeAgent modules: these desired properties reach a module only if another deployment runs it` });
      }
    }
    const hub = parsed.data.$edgeHub[BASE_KEY] as Record<string, unknown>;
    if ('mqttBroker' in hub && /^1\.[01](?:\.|$)/.test(String(hub.schemaVersion))) {
      warnings.push({ code: 'ignored_by_runtime', pointer: locate(['$edgeHub', BASE_KEY, 'mqttBroker']), detail: 'edgeHub reads mqttBroker from schemaVersion 1.2 on; with this schemaVersion it is kept but ignored' });
    }
  } else {
    for (const [twin, sections] of Object.entries(raw)) {
      for (const [key, value] of Object.entries(sections)) {
        if (twin === '$edgeAgent' && key.startsWith(`${BASE_KEY}.modules.`)) {
          const m = moduleSchema.safeParse(value);
          if (!m.success) issues.push(...m.error.issues.map((i) => ({ pointer: locate([twin, key, ...i.path.map(String)]), detail: i.message, code: i.code })));
          const name = key.slice(`${BASE_KEY}.modules.`.length);
          const named = moduleNameSchema.safeParse(name);
          if (!named.success) issues.push({ pointer: locate([twin, key]), detail: named.error.issues[0]?.message ?? 'is not a module name', code: 'invalid_module_name' });
        } else if (twin === '$edgeAgent' && key === BASE_KEY && isPlainObject(value) && isPlainObject(value.modules)) {
          for (const [name, module] of Object.entries(value.modules)) {
            const m = moduleSchema.safeParse(module);
            if (!m.success) issues.push(...m.error.issues.map((i) => ({ pointer: locate([twin, key, 'modules', name, ...i.path.map(String)]), detail: i.message, code: i.code })));
          }
        }
      }
    }
  }
  if (issues.length) return { issues };

  const extracted = extractInlineCredentials(raw, locate);
  let content: Record<string, Record<string, unknown>> = canonicalModules(extracted.content);
  if (kind === 'layered') {
    const layered = layeredContent(content, locate);
    if (layered.issues.length) return { issues: layered.issues };
    warnings.push(...layered.warnings);
    content = layered.content;
  }
  const credentials: Record<string, InlineCredential> = { ...extracted.credentials };
  return {
    translation: {
      content: canonicalize(content) as ModulesContent,
      kind,
      credentials: credentialRefs(manifest.registryCredentials, `${pointer}/registryCredentials`),
      inlineCredentials: credentials,
      redact: extracted.passwordPaths.map((p) => [...contentPath, ...p]),
      warnings,
      updatePolicies: manifest.updatePolicies ?? {},
      // Content paths are the request paths here, except that chunks are named by their first key.
      locate,
    },
  };
}
