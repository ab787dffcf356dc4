// All three manifest forms become one canonical modulesContent, checked against
// the limits and the configured registry credentials.
import { z } from 'zod';
import { type FieldIssue, toPointer } from '../../errors';
import { validationError } from '../../http/problem';
import { updatePolicyWarnings } from '../registry/policyWarnings';
import type { UpdatePolicy } from '../registry/updatePolicySchema';
import { canonicalize, isPlainObject } from './canonicalJson';
import { compactManifestSchema, translateCompact } from './compactManifest';
import { buildModulesContent, contentModules, type ModulesContent } from './edgeContent';
import { kubernetesManifestSchema, translateKubernetesManifest } from './kubernetes/kubernetesManifest';
import { checkLimits, CREDENTIAL_RESERVE_BYTES, twinKeyProblem } from './limits';
import type { InlineCredential } from './inlineCredentials';
import type { DeploymentKind } from './layered';
import type { ManifestTranslation } from './manifestForm';
import { modulesContentManifestSchema, translateModulesContent } from './modulesContentManifest';
import { fail, invalid, ok, type Result } from './result';
import type { TargetCondition } from './targetCondition';
import type { DeploymentWarning } from './warnings';

/** For OpenAPI: the three forms. Parsing dispatches on the form's key instead, for precise pointers. */
export const manifestSchema = z
  .union([modulesContentManifestSchema, compactManifestSchema, kubernetesManifestSchema])
  .meta({ description: 'The workload: IoT Edge modulesContent, the compact modules form, or a Kubernetes Pod/Deployment' });
export type Manifest = z.infer<typeof manifestSchema>;

export interface ManifestContext {
  /** Names in the REGISTRY_CREDENTIALS setting; the secrets stay in settings. */
  readonly registryCredentialNames: readonly string[];
}

export interface NormalizedManifest {
  /** Canonical IoT Hub `content.modulesContent`, registry credentials not yet filled in (see configuration.ts). */
  readonly modulesContent: ModulesContent;
  readonly kind: DeploymentKind;
  /** Registry credential names to fill in from settings, sorted. */
  readonly registryCredentials: readonly string[];
  /** Registry credentials written in the manifest, by name: sealed into the deployment's secrets, never stored with the revision. */
  readonly inlineCredentials: Readonly<Record<string, InlineCredential>>;
  /** Password paths in the manifest object: the stored spec shows REDACTED_PASSWORD there. */
  readonly redact: readonly (readonly (string | number)[])[];
  /** Accepted, but worth knowing: skipped documents, dropped fields, policies that cannot fire. */
  readonly warnings: readonly DeploymentWarning[];
  readonly updatePolicies: Readonly<Record<string, UpdatePolicy>>;
  /** Devices the manifest narrows to (Kubernetes nodeSelector), ANDed with the request's target. */
  readonly condition?: TargetCondition | undefined;
}

export type ManifestForm = 'modulesContent' | 'compact' | 'kubernetes';

export function manifestForm(manifest: unknown): ManifestForm | undefined {
  if (!isPlainObject(manifest)) return undefined;
  if ('modulesContent' in manifest || 'content' in manifest) return 'modulesContent';
  if ('kubernetes' in manifest) return 'kubernetes';
  if ('modules' in manifest) return 'compact';
  return undefined;
}

function translate(manifest: unknown, pointer: string, documentPointer: string): Result<ManifestTranslation> {
  switch (manifestForm(manifest)) {
    case 'modulesContent': {
      const parsed = modulesContentManifestSchema.safeParse(manifest);
      if (!parsed.success) return fail(validationError(parsed.error, 'The manifest', pointer));
      const translated = translateModulesContent(parsed.data, pointer);
      return 'issues' in translated ? invalid('The manifest', translated.issues, 'ManifestRejected') : ok(translated.translation);
    }
    case 'compact': {
      const parsed = compactManifestSchema.safeParse(manifest);
      return parsed.success ? ok(translateCompact(parsed.data, pointer)) : fail(validationError(parsed.error, 'The manifest', pointer));
    }
    case 'kubernetes': {
      const parsed = kubernetesManifestSchema.safeParse(manifest);
      if (!parsed.success) return fail(validationError(parsed.error, 'The manifest', pointer));
      return translateKubernetesManifest(parsed.data, documentPointer);
    }
    default:
      return invalid('The manifest', [
        { pointer, detail: 'must be an object with modulesContent (IoT Edge), modules (compact) or kubernetes (Pod/Deployment)', code: 'invalid_manifest' },
      ]);
  }
}

/**
 * Any manifest form as canonical content; every problem is a 400 pointing under `pointer`.
 * `kubernetesDocumentPointer` is '' when the whole request body was a Kubernetes document.
 */
export function normalizeManifest(
  manifest: unknown,
  context: ManifestContext,
  pointer = '/manifest',
  kubernetesDocumentPointer = `${pointer}/kubernetes`,
): Result<NormalizedManifest> {
  const translated = translate(manifest, pointer, kubernetesDocumentPointer);
  if (!translated.ok) return translated;
  return finish(translated.value, context, pointer);
}

export function finish(t: ManifestTranslation, context: ManifestContext, pointer: string): Result<NormalizedManifest> {
  const modulesContent = t.content ?? buildModulesContent(t.parts);
  const credentialNames = new Set(t.credentials.map((c) => c.name));
  const inline = t.inlineCredentials ?? {};
  const issues: FieldIssue[] = checkLimits(modulesContent, t.locate, (credentialNames.size + Object.keys(inline).length) * CREDENTIAL_RESERVE_BYTES);
  const known = new Set(context.registryCredentialNames);
  for (const ref of t.credentials) {
    const keyProblem = twinKeyProblem(ref.name);
    if (keyProblem) issues.push({ pointer: ref.pointer, detail: keyProblem, code: 'invalid_twin_key' });
    else if (!known.has(ref.name)) {
      issues.push({ pointer: ref.pointer, detail: `no registry credential named '${ref.name}' is configured (REGISTRY_CREDENTIALS)`, code: 'unknown_credential' });
    }
  }
  for (const [name, c] of Object.entries(inline)) {
    // The name is a key of edgeAgent's registryCredentials twin object, so IoT Hub's key rules apply.
    const keyProblem = twinKeyProblem(name);
    if (keyProblem) issues.push({ pointer: c.pointer, detail: keyProblem, code: 'invalid_twin_key' });
    else if (credentialNames.has(name)) issues.push({ pointer: c.pointer, detail: `'${name}' is also named in registryCredentials (settings); use one or the other`, code: 'duplicate_credential' });
    if (!c.address.trim()) issues.push({ pointer: `${c.pointer}/address`, detail: 'edgeAgent needs the registry address to log in', code: 'invalid_credential' });
  }
  const modules = contentModules(modulesContent);
  for (const name of Object.keys(t.updatePolicies)) {
    if (!(name in modules)) issues.push({ pointer: t.policyPointer?.(name) ?? toPointer(['updatePolicies', name], pointer), detail: `updatePolicies names no module '${name}'`, code: 'unknown_module' });
  }
  if (issues.length) return invalid('The manifest', issues, 'ManifestRejected');
  const policyWarnings = updatePolicyWarnings(
    Object.entries(t.updatePolicies).map(([name, policy]) => ({
      pointer: t.policyPointer?.(name) ?? toPointer(['updatePolicies', name], pointer),
      image: imageText((modules[name]?.settings as { image?: unknown } | undefined)?.image),
      policy,
    })),
  );
  return ok({
    modulesContent,
    kind: t.kind ?? 'base',
    registryCredentials: [...credentialNames].sort(),
    inlineCredentials: inline,
    redact: t.redact ?? [],
    warnings: [...(t.warnings ?? []), ...policyWarnings],
    updatePolicies: canonicalize(t.updatePolicies),
    condition: t.condition,
  });
}

/** A module's image as the policy check reads it; anything but a string is no image reference. */
function imageText(image: unknown): string {
  return typeof image === 'string' ? image : '';
}
