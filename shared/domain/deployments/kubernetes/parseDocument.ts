// Kubernetes manifests arrive as YAML or JSON text (YAML is a superset of JSON)
// or as an object already parsed from a JSON request body.
import type { z } from 'zod';
import { parseAllDocuments } from 'yaml';
import { type FieldIssue, toPointer } from '../../../errors';
import { jsonLimitIssue } from '../../json/limits';
import { isPlainObject } from '../canonicalJson';
import { invalid, ok, type Result } from '../result';
import { deploymentSchema, podSchema } from './schema';
import type { KubernetesObject } from './translate';
import { kubernetesIssues } from './unsupported';

const MAX_TEXT_LENGTH = 512 * 1024;

/** One YAML/JSON document as a plain value; several documents, or YAML errors, are a 400 with line and column. */
export function parseKubernetesText(text: string, pointer: string): Result<unknown> {
  if (text.length > MAX_TEXT_LENGTH) return invalid('The Kubernetes manifest', [{ pointer, detail: `is longer than ${MAX_TEXT_LENGTH} characters` }]);
  const docs = parseAllDocuments(text, { prettyErrors: true, uniqueKeys: true });
  if (!Array.isArray(docs)) return invalid('The Kubernetes manifest', [{ pointer, detail: 'is empty' }]);
  if (docs.length !== 1) {
    return invalid('The Kubernetes manifest', [{ pointer, detail: `holds ${docs.length} documents; send one Pod or Deployment per deployment` }]);
  }
  const doc = docs[0];
  if (!doc) return invalid('The Kubernetes manifest', [{ pointer, detail: 'is empty' }]);
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
  return limit ? invalid('The Kubernetes manifest', [{ ...limit, pointer: pointer + limit.pointer }]) : ok(value);
}

/** A Pod (v1) or Deployment (apps/v1), every refused field named by a pointer under `prefix`. */
export function parseKubernetesObject(value: unknown, prefix: string): Result<KubernetesObject> {
  const kind = isPlainObject(value) ? value.kind : undefined;
  const schema = kind === 'Pod' ? podSchema : kind === 'Deployment' ? deploymentSchema : undefined;
  if (!schema) {
    const issue: FieldIssue = { pointer: toPointer(['kind'], prefix), detail: 'must be Pod (v1) or Deployment (apps/v1)', code: 'unsupported_kind' };
    return invalid('The Kubernetes manifest', [issue], 'UnsupportedKubernetesManifest');
  }
  const parsed = (schema as z.ZodType<KubernetesObject>).safeParse(value);
  if (parsed.success) return ok(parsed.data);
  const issues = kubernetesIssues(parsed.error, prefix).sort((a, b) => Number(b.code === 'unsupported_field') - Number(a.code === 'unsupported_field'));
  return invalid('The Kubernetes manifest', issues, 'UnsupportedKubernetesManifest');
}
