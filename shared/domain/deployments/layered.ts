// Layered deployments (IoT Hub): content keys are `properties.desired.<path>`,
// merged on top of the device's base deployment in priority order instead of
// replacing its desired properties. Microsoft Learn, module-deployment-monitoring,
// "Layered deployment": "The system runtime modules, edgeAgent and edgeHub, are not
// configured as part of a layered deployment." The az CLI classifies a deployment
// as layered when a module has `properties.desired.*` defined (az iot edge deployment create).
import type { FieldIssue } from '../../errors';
import { isPlainObject } from './canonicalJson';
import type { DesiredProperties, ModulesContent } from './edgeContent';
import type { DeploymentWarning } from './warnings';

export const BASE_KEY = 'properties.desired';
export const LAYER_PREFIX = 'properties.desired.';
const AGENT_MODULES = `${LAYER_PREFIX}modules.`;
export const AGENT_CREDENTIALS = `${LAYER_PREFIX}runtime.settings.registryCredentials`;

export type DeploymentKind = 'base' | 'layered';

/** Layered when any twin uses a `properties.desired.<path>` key (the az CLI's rule). */
export function kindOf(content: Readonly<Record<string, unknown>>): DeploymentKind {
  return Object.values(content).some((twin) => isPlainObject(twin) && Object.keys(twin).some((k) => k.startsWith(LAYER_PREFIX))) ? 'layered' : 'base';
}

const LAYER_AGENT_RULE =
  'a layered deployment sets user modules (properties.desired.modules.<name>) and registry credentials only; schemaVersion, runtime and the system modules edgeAgent and edgeHub come from the base deployment';

/** Where a layered `$edgeAgent` key may write: a user module, or a registry credential. */
function agentKeyProblem(key: string): string | undefined {
  if (key.startsWith(AGENT_MODULES) && key.length > AGENT_MODULES.length && !key.slice(AGENT_MODULES.length).includes('.')) return undefined;
  if (key === AGENT_CREDENTIALS || (key.startsWith(`${AGENT_CREDENTIALS}.`) && !key.slice(AGENT_CREDENTIALS.length + 1).includes('.'))) return undefined;
  return LAYER_AGENT_RULE;
}

/**
 * A layered deployment as IoT Hub merges it: whole `properties.desired` objects
 * are spread into `properties.desired.<key>` paths (one level, which is what
 * merging means; a whole object would replace the base deployment's). Refuses
 * what a layer cannot set. `locate` maps a content path to the request pointer.
 */
export function layeredContent(
  content: Readonly<Record<string, Readonly<Record<string, unknown>>>>,
  locate: (path: readonly string[]) => string,
): { content: ModulesContent; warnings: DeploymentWarning[]; issues: FieldIssue[] } {
  const out: Record<string, Record<string, unknown>> = {};
  const warnings: DeploymentWarning[] = [];
  const issues: FieldIssue[] = [];
  for (const [twin, keys] of Object.entries(content)) {
    const target: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(keys)) {
      if (key === BASE_KEY && isPlainObject(value)) {
        const spread = spreadWhole(twin, value);
        for (const [k, v] of Object.entries(spread.keys)) target[k] = v;
        for (const path of spread.refused) issues.push({ pointer: locate([twin, BASE_KEY, ...path]), detail: LAYER_AGENT_RULE, code: 'layered_system_modules' });
        warnings.push({
          code: 'layered_flattened',
          pointer: locate([twin, BASE_KEY]),
          detail: `a layered deployment merges into the base deployment: written as ${Object.keys(spread.keys).map((k) => `'${k}'`).join(', ') || 'nothing'}`,
        });
      } else if (key.startsWith(LAYER_PREFIX)) {
        const problem = twin === '$edgeAgent' ? agentKeyProblem(key) : undefined;
        if (problem) issues.push({ pointer: locate([twin, key]), detail: problem, code: 'layered_system_modules' });
        else target[key] = value;
      } else {
        issues.push({ pointer: locate([twin, key]), detail: `is not a twin section: use '${BASE_KEY}' or '${LAYER_PREFIX}<path>'`, code: 'invalid_twin_section' });
      }
    }
    out[twin] = target;
  }
  return { content: out as unknown as ModulesContent, warnings, issues };
}

function spreadWhole(twin: string, desired: Record<string, unknown>): { keys: Record<string, unknown>; refused: string[][] } {
  const keys: Record<string, unknown> = {};
  const refused: string[][] = [];
  if (twin !== '$edgeAgent') {
    for (const [k, v] of Object.entries(desired)) keys[`${LAYER_PREFIX}${k}`] = v;
    return { keys, refused };
  }
  for (const [k, v] of Object.entries(desired)) {
    if (k === 'modules' && isPlainObject(v)) {
      for (const [name, module] of Object.entries(v)) keys[`${AGENT_MODULES}${name}`] = module;
    } else if (k === 'runtime' && isPlainObject(v) && isCredentialsOnly(v)) {
      const credentials = (v.settings as Record<string, unknown>).registryCredentials;
      for (const [name, c] of Object.entries(isPlainObject(credentials) ? credentials : {})) keys[`${AGENT_CREDENTIALS}.${name}`] = c;
    } else if (!(k === 'schemaVersion' || k === 'runtime')) {
      refused.push([k]);
    }
    // schemaVersion and a runtime block (as templates carry them) are the base deployment's: left out, never merged.
  }
  return { keys, refused };
}

const isCredentialsOnly = (runtime: Record<string, unknown>) => isPlainObject(runtime.settings) && 'registryCredentials' in runtime.settings;

/** User modules a layered content adds, by name. */
export function layeredModules(content: ModulesContent): Record<string, DesiredProperties> {
  const agent = (content.$edgeAgent ?? {}) as Record<string, unknown>;
  return Object.fromEntries(
    Object.entries(agent)
      .filter(([k, v]) => k.startsWith(AGENT_MODULES) && isPlainObject(v))
      .map(([k, v]) => [k.slice(AGENT_MODULES.length), v as DesiredProperties]),
  );
}
