// What a user asks for: the request body schema (single source of truth for
// validation, types and the OpenAPI document) and its normalisation.
import { z } from 'zod';
import { DEPLOYMENT_ID_MAX_LENGTH, DEPLOYMENT_ID_PATTERN, DEPLOYMENT_LABEL, INSTALLATION_LABEL, MANAGED_BY_LABEL, REVISION_LABEL } from './configurationId';
import { MAX_CONDITION_LENGTH } from './conditionSyntax';
import { hubSelectorSchema } from './hubSelector';
import { redactAt } from './inlineCredentials';
import { type ManifestContext, manifestSchema, type NormalizedManifest, normalizeManifest } from './normalize';
import { rolloutSchema } from '../rollout/rolloutSpec';
import { invalid, ok, type Result } from './result';
import { deviceSelectorSchema, selectorToCondition } from './selector';
import { allOf, parseTargetCondition, type TargetCondition } from './targetCondition';

export const RESERVED_LABELS = [MANAGED_BY_LABEL, DEPLOYMENT_LABEL, REVISION_LABEL, INSTALLATION_LABEL];

export const deploymentIdSchema = z
  .string()
  .max(DEPLOYMENT_ID_MAX_LENGTH)
  .regex(DEPLOYMENT_ID_PATTERN, 'must be 1-100 lowercase letters, digits or dashes, starting and ending with a letter or digit')
  .meta({ description: 'Deployment id; each revision becomes the IoT Hub configuration <id>-r<revision>', example: 'temperature-sensor' });

// Keys are checked in the refinement (not the record key schema) so each bad key gets its own message.
export const labelsSchema = z
  .record(z.string(), z.string().max(128))
  .superRefine((labels, ctx) => {
    for (const key of Object.keys(labels)) {
      if (key.length < 1 || key.length > 128) ctx.addIssue({ code: 'custom', path: [key], message: 'label keys are 1-128 characters' });
      else if (RESERVED_LABELS.includes(key)) ctx.addIssue({ code: 'custom', path: [key], message: 'is reserved for labels the control plane sets' });
    }
  })
  .meta({ description: 'Labels copied onto every IoT Hub configuration (keys and values at most 128 characters)', example: { team: 'plant-ops' } });

export const targetSchema = z
  .strictObject({
    selector: deviceSelectorSchema.optional(),
    condition: z
      .string()
      .min(1)
      .max(MAX_CONDITION_LENGTH)
      .optional()
      .meta({ description: 'Raw IoT Hub target condition (tags.*, deviceId, capabilities.iotEdge)', example: "tags.env='prod' AND tags.site IN ['a','b']" }),
  })
  .refine((t) => t.selector !== undefined || t.condition !== undefined, 'needs a selector or a condition')
  .meta({ description: 'Which devices the deployment targets; a selector and a condition together are ANDed' });

export const deploymentSpecSchema = z.strictObject({
  labels: labelsSchema.default({}),
  priority: z.int().positive().max(2147483647).default(10).meta({ description: 'IoT Hub priority: the highest wins on a device; ties go to the newest', example: 10 }),
  target: targetSchema.optional().meta({ description: 'Required unless a Kubernetes manifest has a nodeSelector' }),
  hubSelector: hubSelectorSchema.default({}),
  manifest: manifestSchema,
  progressDeadlineSeconds: z
    .int()
    .min(30)
    .max(7 * 24 * 3600)
    .default(600)
    .meta({ description: 'No progress for this long sets the ProgressDeadlineExceeded condition (Kubernetes semantics: reported, no action)', example: 600 }),
  degradedFailedPercent: z
    .number()
    .min(0)
    .max(100)
    .default(10)
    .meta({ description: 'Failed devices above this share of the reachable targeted devices set Degraded; offline devices never count', example: 10 }),
  metrics: z
    .strictObject({
      queries: z
        .record(z.string().min(1).max(128), z.string().min(1).max(2048))
        .meta({ description: 'Custom metrics: name -> IoT Hub query (e.g. SELECT deviceId FROM devices.modules WHERE ...); passed to every configuration', example: { running: "SELECT deviceId FROM devices.modules WHERE moduleId = '$edgeAgent' AND properties.reported.lastDesiredStatus.code = 200" } }),
    })
    .optional()
    .meta({ description: 'IoT Hub deployment metrics; their results appear in /status' }),
  rollout: rolloutSchema
    .optional()
    .meta({ description: 'Roll each new revision out wave by wave, gated on device health; without it every selected hub gets a revision at once' }),
});
/** The spec as the user asked for it (manifest kept as submitted); stored with every revision. */
export type DeploymentSpec = z.infer<typeof deploymentSpecSchema>;

export const deploymentRequestSchema = deploymentSpecSchema
  .extend({ id: deploymentIdSchema })
  .meta({ description: 'A deployment: which workload, on which devices, through which hubs', id: 'DeploymentRequest' });
export type DeploymentRequest = z.infer<typeof deploymentRequestSchema>;

/** The envelope is checked with the manifest left open; the manifest gets form-specific checks and pointers. */
export const deploymentSpecEnvelopeSchema = deploymentSpecSchema.extend({ manifest: z.unknown() });
export const deploymentRequestEnvelopeSchema = deploymentRequestSchema.extend({ manifest: z.unknown() });

export interface NormalizedSpec extends NormalizedManifest {
  readonly targetCondition: TargetCondition;
}

/** The spec as it is stored and returned: what was sent, passwords replaced by REDACTED_PASSWORD. */
export function storedSpec<S extends { readonly manifest: unknown }>(spec: S, normalized: Pick<NormalizedManifest, 'redact'>): S {
  return normalized.redact.length ? { ...spec, manifest: redactAt(spec.manifest, normalized.redact) } : spec;
}

/**
 * The canonical content and target condition of a spec. `manifestPointer` is
 * where the manifest sits in the request ('' when the whole body was a Kubernetes document).
 */
export function normalizeSpec(
  spec: Omit<DeploymentSpec, 'manifest'> & { readonly manifest: unknown },
  context: ManifestContext,
  manifestPointer = '/manifest',
  kubernetesDocumentPointer = `${manifestPointer}/kubernetes`,
): Result<NormalizedSpec> {
  const manifest = normalizeManifest(spec.manifest, context, manifestPointer, kubernetesDocumentPointer);
  if (!manifest.ok) return manifest;
  const conditions: TargetCondition[] = [];
  if (spec.target?.selector) conditions.push(selectorToCondition(spec.target.selector));
  if (spec.target?.condition !== undefined) {
    const parsed = parseTargetCondition(spec.target.condition, '/target/condition');
    if (!parsed.ok) return parsed;
    conditions.push(parsed.value);
  }
  if (manifest.value.condition) conditions.push(manifest.value.condition);
  const [first, ...rest] = conditions;
  if (!first) {
    return invalid('The deployment', [{ pointer: '/target', detail: 'is required: a selector, a condition, or a Kubernetes nodeSelector', code: 'invalid_type' }]);
  }
  return ok({ ...manifest.value, targetCondition: allOf(first, ...rest) });
}
