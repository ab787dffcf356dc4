// JSON Merge Patch (RFC 7396) for PATCH /deployments/{id}: objects merge
// recursively, null deletes, anything else (arrays included) replaces.
import { validationError } from '../../http/problem';
import { isPlainObject } from './canonicalJson';
import { type DeploymentSpec, deploymentSpecEnvelopeSchema, type NormalizedSpec, normalizeSpec, storedSpec } from './deploymentSpec';
import type { ManifestContext } from './normalize';
import { fail, invalid, ok, type Result } from './result';

export function applyMergePatch(target: unknown, patch: unknown): unknown {
  if (!isPlainObject(patch)) return patch;
  const result: Record<string, unknown> = isPlainObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else result[key] = applyMergePatch(result[key], value);
  }
  return result;
}

/**
 * The spec after a merge patch, validated and normalised like a new request.
 * The id is not part of the spec, so a patch naming a different one is refused.
 * To switch manifest forms, null the old form's key: {"manifest": {"modulesContent": null, "modules": {...}}}.
 */
export function patchSpec(
  deploymentId: string,
  spec: DeploymentSpec,
  patch: unknown,
  context: ManifestContext,
): Result<{ spec: DeploymentSpec; normalized: NormalizedSpec }> {
  if (!isPlainObject(patch)) return invalid('The merge patch', [{ pointer: '', detail: 'must be a JSON object (RFC 7396)', code: 'invalid_type' }]);
  const { id, ...rest } = patch;
  if (id !== undefined && id !== deploymentId) return invalid('The merge patch', [{ pointer: '/id', detail: 'a deployment id cannot change', code: 'immutable' }]);
  const merged = applyMergePatch(spec, rest);
  const envelope = deploymentSpecEnvelopeSchema.safeParse(merged);
  if (!envelope.success) return fail(validationError(envelope.error, 'The patched deployment'));
  const normalized = normalizeSpec(envelope.data, context);
  if (!normalized.ok) return normalized;
  return ok({ spec: storedSpec(envelope.data as DeploymentSpec, normalized.value), normalized: normalized.value });
}
