// IoT Hub and edgeAgent limits, checked on the canonical content so every
// manifest form gets the same answer. `locate` maps a content path back to a
// JSON Pointer in the request, so the 400 names what the user wrote.
import type { FieldIssue } from '../../errors';
import { chunkCount, CREATE_OPTIONS_MAX_CHUNKS } from './createOptions';
import type { DesiredProperties, ModulesContent } from './edgeContent';

export const MAX_DESIRED_BYTES = 32 * 1024;
export const MAX_MODULES = 50;
export const MAX_PROPERTY_VALUE_BYTES = 4 * 1024;
/** Twin JSON objects nest at most 10 deep; keys are at most 1 KB without '.', '$', spaces or control characters. */
export const MAX_TWIN_DEPTH = 10;
export const MAX_TWIN_KEY_BYTES = 1024;
// eslint-disable-next-line no-control-regex
const BAD_TWIN_KEY = /[.$ \u0000-\u001f\u007f-\u009f]/;

/** Why `key` cannot be a twin property name, or undefined. */
export function twinKeyProblem(key: string): string | undefined {
  if (BAD_TWIN_KEY.test(key)) return `'${key}' cannot be a twin property name: no '.', '$', spaces or control characters`;
  if (Buffer.byteLength(key, 'utf8') > MAX_TWIN_KEY_BYTES) return `a twin property name holds at most ${MAX_TWIN_KEY_BYTES} bytes`;
  return undefined;
}

export type ContentPath = readonly string[];
export type Locate = (path: ContentPath) => string;

/** Room kept in $edgeAgent per referenced registry credential, filled in only when the configuration is built. */
export const CREDENTIAL_RESERVE_BYTES = 512;

/** `reservedAgentBytes`: what will be added to $edgeAgent later (registry credentials). */
export function checkLimits(content: ModulesContent, locate: Locate, reservedAgentBytes = 0): FieldIssue[] {
  const issues: FieldIssue[] = [];
  const agent = content.$edgeAgent?.['properties.desired'] ?? {};
  const modules = (agent.modules ?? {}) as Record<string, DesiredProperties>;
  const count = Object.keys(modules).length;
  if (count > MAX_MODULES) {
    issues.push({
      pointer: locate(['$edgeAgent', 'properties.desired', 'modules']),
      detail: `${count} modules; a deployment holds at most ${MAX_MODULES}`,
      code: 'too_many_modules',
    });
  }
  const system = (agent.systemModules ?? {}) as Record<string, DesiredProperties>;
  const withSettings: [ContentPath, DesiredProperties][] = [
    ...Object.entries(system).map(([n, m]): [ContentPath, DesiredProperties] => [['systemModules', n], m]),
    ...Object.entries(modules).map(([n, m]): [ContentPath, DesiredProperties] => [['modules', n], m]),
  ];
  for (const [path, m] of withSettings) {
    const chunks = chunkCount((m.settings ?? {}) as Record<string, unknown>);
    if (chunks > CREATE_OPTIONS_MAX_CHUNKS) {
      issues.push({
        pointer: locate(['$edgeAgent', 'properties.desired', ...path, 'settings', 'createOptions']),
        detail: `createOptions needs ${chunks} chunks of 512 characters; edgeAgent reads at most ${CREATE_OPTIONS_MAX_CHUNKS}`,
        code: 'create_options_too_long',
      });
    }
  }
  for (const [twin, twinContent] of Object.entries(content)) {
    // A layered deployment writes `properties.desired.<path>` keys instead of one `properties.desired`:
    // measured together, as they land in the same desired properties.
    const desired = twinContent['properties.desired'] ?? twinContent;
    const bytes = Buffer.byteLength(JSON.stringify(desired), 'utf8') + (twin === '$edgeAgent' ? reservedAgentBytes : 0);
    if (bytes > MAX_DESIRED_BYTES) {
      issues.push({
        pointer: locate([twin, 'properties.desired']),
        detail: `desired properties of ${twin} are ${bytes} bytes; a module twin holds at most ${MAX_DESIRED_BYTES}`,
        code: 'desired_properties_too_large',
      });
    }
    // Layered path keys (`properties.desired.a.b`) are IoT Hub's way of naming a path, not one property:
    // each segment is a key, and the value starts that many levels down.
    const shapes =
      twinContent['properties.desired'] !== undefined
        ? shapeProblems(desired, [twin, 'properties.desired'], 1)
        : Object.entries(twinContent).flatMap(([key, value]) => {
            const segments = key.split('.').slice(2);
            const problem = segments.map(twinKeyProblem).find((p) => p !== undefined);
            return problem ? [{ path: [twin, key], detail: problem, code: 'invalid_twin_key' }] : shapeProblems(value, [twin, key], segments.length + 1);
          });
    for (const { path, detail, code } of shapes) {
      issues.push({ pointer: locate(path), detail, code });
    }
    for (const path of oversizedValues(desired, [twin, 'properties.desired'])) {
      issues.push({
        pointer: locate(path),
        detail: `a twin property value holds at most ${MAX_PROPERTY_VALUE_BYTES} bytes`,
        code: 'property_value_too_large',
      });
    }
  }
  return issues;
}

function oversizedValues(value: unknown, path: ContentPath): ContentPath[] {
  if (typeof value === 'string') return Buffer.byteLength(value, 'utf8') > MAX_PROPERTY_VALUE_BYTES ? [path] : [];
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([k, v]) => oversizedValues(v, [...path, k]));
}

function shapeProblems(value: unknown, path: ContentPath, depth: number): { path: ContentPath; detail: string; code: string }[] {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return [];
  if (depth > MAX_TWIN_DEPTH) return [{ path, detail: `twin properties nest at most ${MAX_TWIN_DEPTH} objects deep`, code: 'too_deep' }];
  return Object.entries(value).flatMap(([k, v]) => {
    const problem = twinKeyProblem(k);
    const here = [...path, k];
    return problem ? [{ path: here, detail: problem, code: 'invalid_twin_key' }] : shapeProblems(v, here, depth + 1);
  });
}
