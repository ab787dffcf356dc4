// Kubernetes manifests arrive as YAML or JSON text (YAML is a superset of JSON),
// often several documents in one file (`---`), or as an object already parsed
// from a JSON request body.
import type { z } from 'zod';
import { parseAllDocuments } from 'yaml';
import { type FieldIssue, toPointer } from '../../../errors';
import { jsonLimitIssue } from '../../json/limits';
import { isPlainObject } from '../canonicalJson';
import { invalid, ok, type Result } from '../result';
import type { DeploymentWarning } from '../warnings';
import { stripUnsupported } from './lenient';
import { deploymentSchema, podSchema } from './schema';
import type { KubernetesObject } from './translate';
import { kubernetesIssues } from './unsupported';

const MAX_TEXT_LENGTH = 512 * 1024;

/** One document of a stream, with the pointer its fields are reported under. */
export interface StreamDocument {
  readonly value: unknown;
  readonly pointer: string;
}

/**
 * Every non-empty document of a YAML/JSON stream. Empty documents (a trailing
 * `---`, a comment-only section) are not documents anyone wrote. With one
 * document its pointers start at `pointer`; with several, at `pointer/<index>`.
 */
export function parseKubernetesStream(text: string, pointer: string): Result<StreamDocument[]> {
  if (text.length > MAX_TEXT_LENGTH) return invalid('The Kubernetes manifest', [{ pointer, detail: `is longer than ${MAX_TEXT_LENGTH} characters` }]);
  const docs = parseAllDocuments(text, { prettyErrors: true, uniqueKeys: true });
  if (!Array.isArray(docs)) return invalid('The Kubernetes manifest', [{ pointer, detail: 'is empty' }]);
  const values: unknown[] = [];
  for (const doc of docs) {
    const [error] = doc.errors;
    if (error) {
      const where = error.linePos?.[0];
      const at = where ? `line ${where.line} column ${where.col}: ` : '';
      return invalid('The Kubernetes manifest', [{ pointer, detail: `is not valid YAML or JSON: ${at}${(error.message.split('\n')[0] ?? '').replace(/ at line \d+, column \d+:?$/, '')}`, code: 'syntax' }]);
    }
    // Alias bombs stop in toJS with an error; nesting and numbers as at the HTTP body boundary (json/limits.ts).
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: 50 }) as unknown;
    } catch (e) {
      return invalid('The Kubernetes manifest', [{ pointer, detail: `expands too far: ${(e as Error).message}`, code: 'too_many_aliases' }]);
    }
    const limit = jsonLimitIssue(value);
    if (limit) return invalid('The Kubernetes manifest', [{ ...limit, pointer: pointer + limit.pointer }]);
    if (value !== null && value !== undefined) values.push(value);
  }
  if (!values.length) return invalid('The Kubernetes manifest', [{ pointer, detail: 'is empty' }]);
  return ok(values.map((value, i) => ({ value, pointer: values.length === 1 ? pointer : `${pointer}/${i}` })));
}

/** The single document of a stream that is not a Kubernetes stream (a deployment request in YAML). */
export function parseKubernetesText(text: string, pointer: string): Result<unknown> {
  const docs = parseKubernetesStream(text, pointer);
  if (!docs.ok) return docs;
  if (docs.value.length === 1) return ok(docs.value[0]!.value);
  return ok(docs.value.map((d) => d.value));
}

export const WORKLOAD_KINDS = ['Pod', 'Deployment'] as const;
export const isWorkload = (value: unknown): boolean => isPlainObject(value) && WORKLOAD_KINDS.includes(value.kind as (typeof WORKLOAD_KINDS)[number]);

/**
 * A Pod (v1) or Deployment (apps/v1 and its beta names), with fields that have no
 * IoT Edge meaning dropped as warnings; what cannot be read is refused with a pointer.
 */
export function parseKubernetesObject(value: unknown, prefix: string): Result<{ doc: KubernetesObject; warnings: DeploymentWarning[] }> {
  const kind = isPlainObject(value) ? value.kind : undefined;
  const schema = kind === 'Pod' ? podSchema : kind === 'Deployment' ? deploymentSchema : undefined;
  if (!schema) {
    const issue: FieldIssue = { pointer: toPointer(['kind'], prefix), detail: 'must be Pod (v1) or Deployment (apps/v1)', code: 'unsupported_kind' };
    return invalid('The Kubernetes manifest', [issue], 'UnsupportedKubernetesManifest');
  }
  const stripped = stripUnsupported(value as Record<string, unknown>, schema as z.ZodType, prefix);
  const parsed = (schema as z.ZodType<KubernetesObject>).safeParse(stripped.value);
  if (parsed.success) return ok({ doc: parsed.data, warnings: stripped.warnings });
  return invalid('The Kubernetes manifest', kubernetesIssues(parsed.error, prefix), 'UnsupportedKubernetesManifest');
}
