// The one entry point the HTTP layer calls for POST/PUT bodies. A body is a
// deployment request (JSON or YAML) or, for kubectl users, a bare Kubernetes
// Pod/Deployment whose metadata and edge-fleet.dev/* annotations carry the rest.
import { AppError } from '../../errors';
import { validationError } from '../../http/problem';
import { isPlainObject } from './canonicalJson';
import { deploymentRequestEnvelopeSchema, type DeploymentSpec, type NormalizedSpec, normalizeSpec, storedSpec } from './deploymentSpec';
import { bothHubSelectors, hubSelectorOf } from './kubernetes/hubLabels';
import { translateKubernetesInput } from './kubernetes/kubernetesManifest';
import { podSpecOf } from './kubernetes/translate';
import { parseKubernetesText } from './kubernetes/parseDocument';
import type { ManifestContext } from './normalize';
import { fail, invalid, ok, type Result } from './result';

export interface ParsedDeploymentRequest {
  readonly id: string;
  /** What to store: the request as asked, manifest as submitted, defaults filled in. */
  readonly spec: DeploymentSpec;
  readonly normalized: NormalizedSpec;
}

/** Annotations a bare Kubernetes body uses for what a Pod has no field for. */
export const ANNOTATIONS = {
  priority: 'edge-fleet.dev/priority',
  targetCondition: 'edge-fleet.dev/target-condition',
  hubNames: 'edge-fleet.dev/hub-names',
  hubRegions: 'edge-fleet.dev/hub-regions',
  /** The progressive rollout policy (JSON), so kubectl users get waves, gates and `rollout pause`/`resume`. */
  rollout: 'edge-fleet.dev/rollout',
} as const;

const JSON_TYPES = /^application\/(?:[\w.+-]+\+)?json$/;
const YAML_TYPES = new Set(['application/yaml', 'application/x-yaml', 'text/yaml', 'text/x-yaml']);

export interface ParseOptions {
  /** The id from the URL (PUT /deployments/{id}); the body may then omit it, and must not contradict it. */
  readonly id?: string | undefined;
}

export function parseDeploymentRequest(
  body: unknown,
  contentType: string | undefined,
  context: ManifestContext,
  options: ParseOptions = {},
): Result<ParsedDeploymentRequest> {
  const mediaType = (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  let value: unknown = body;
  if (JSON_TYPES.test(mediaType)) {
    if (typeof body === 'string') {
      try {
        value = JSON.parse(body) as unknown;
      } catch (e) {
        return invalid('The request body', [{ pointer: '', detail: `is not valid JSON: ${(e as Error).message}`, code: 'syntax' }], 'InvalidJson');
      }
    }
  } else if (YAML_TYPES.has(mediaType)) {
    if (typeof body !== 'string') return invalid('The request body', [{ pointer: '', detail: 'must be YAML text' }]);
    const parsed = parseKubernetesText(body, '');
    if (!parsed.ok) return parsed;
    value = parsed.value;
  } else {
    return fail(
      new AppError('UnsupportedMediaType', 415, `Send the deployment as application/json or application/yaml, not '${mediaType || 'nothing'}'.`, {
        retryable: false,
        extensions: { accepted: ['application/json', 'application/yaml'] },
      }),
    );
  }
  const isKubernetes = (v: unknown) => isPlainObject(v) && 'apiVersion' in v && 'kind' in v;
  if (isKubernetes(value) || (Array.isArray(value) && value.some(isKubernetes))) return kubernetesRequest(typeof body === 'string' && YAML_TYPES.has(mediaType) ? body : value, context, options);
  if (options.id !== undefined && isPlainObject(value)) {
    if (value.id === undefined) value = { ...value, id: options.id };
    else if (value.id !== options.id) return idMismatch('/id', options.id);
  }
  const envelope = deploymentRequestEnvelopeSchema.safeParse(value);
  if (!envelope.success) return fail(validationError(envelope.error, 'The deployment'));
  const { id, ...spec } = envelope.data;
  const normalized = normalizeSpec(spec, context);
  if (!normalized.ok) return normalized;
  return ok({ id, spec: storedSpec(spec as DeploymentSpec, normalized.value), normalized: normalized.value });
}

/**
 * Kubernetes input as a whole deployment request, the entry point a Kubernetes
 * API surface calls too (docs/kubernetes-translation.md): text (one or more YAML/JSON
 * documents), one object, or a list of objects. The id comes from the workload's
 * metadata.name, labels from metadata.labels, priority / target / hubs from
 * annotations (edge-fleet.dev/*, or the virtual-kubelet provider's). Warnings
 * (skipped documents, dropped fields) are `normalized.warnings`.
 */
export function kubernetesRequest(input: unknown, context: ManifestContext, options: ParseOptions = {}): Result<ParsedDeploymentRequest> {
  const translated = translateKubernetesInput(input, '');
  if (!translated.ok) return translated;
  const { workload, workloadPointer, priority: vkPriority } = translated.value;
  const metadata = workload.metadata ?? {};
  const at = (path: string) => `${workloadPointer}${path}`;
  if (options.id !== undefined && metadata.name !== undefined && metadata.name !== options.id) return idMismatch(at('/metadata/name'), options.id);
  const annotations = metadata.annotations ?? {};
  const text = (key: string) => annotations[key];
  const list = (key: string) => text(key)?.split(',').map((s) => s.trim()).filter(Boolean);
  const ours = text(ANNOTATIONS.priority);
  if (ours !== undefined && vkPriority && Number(ours) !== vkPriority.value) {
    return invalid('The Kubernetes manifest', [{ pointer: vkPriority.pointer, detail: `contradicts ${ANNOTATIONS.priority} (${ours})`, code: 'conflicting_annotations' }]);
  }
  const priority = ours !== undefined ? Number(ours) : vkPriority?.value;
  const condition = text(ANNOTATIONS.targetCondition);
  const names = list(ANNOTATIONS.hubNames);
  const regions = list(ANNOTATIONS.hubRegions);
  const rolloutText = text(ANNOTATIONS.rollout);
  const rolloutPointer = at(`/metadata/annotations/${ANNOTATIONS.rollout.replace('/', '~1')}`);
  let rollout: unknown;
  if (rolloutText !== undefined) {
    try {
      rollout = JSON.parse(rolloutText) as unknown;
    } catch (e) {
      return invalid('The Kubernetes manifest', [{ pointer: rolloutPointer, detail: `is not valid JSON: ${(e as Error).message}`, code: 'syntax' }]);
    }
  }
  const request = {
    id: metadata.name ?? options.id,
    labels: metadata.labels ?? {},
    ...(priority === undefined ? {} : { priority }),
    ...(condition === undefined ? {} : { target: { condition } }),
    ...(rollout === undefined ? {} : { rollout }),
    // A nodeSelector on a hub node's labels (region, name) picks hubs as the annotations do; both must hold.
    hubSelector: bothHubSelectors({ ...(names ? { names } : {}), ...(regions ? { regions } : {}) }, hubSelectorOf(podSpecOf(workload).spec.nodeSelector)),
    // The input is kept as sent (text stays text) so a later GET shows what the user wrote.
    manifest: { kubernetes: input },
  };
  const envelope = deploymentRequestEnvelopeSchema.safeParse(request);
  if (!envelope.success) {
    const error = validationError(envelope.error, 'The Kubernetes manifest');
    const where: Record<string, string> = {
      '/id': at('/metadata/name'),
      '/labels': at('/metadata/labels'),
      '/priority': vkPriority && ours === undefined ? vkPriority.pointer : at(`/metadata/annotations/${ANNOTATIONS.priority.replace('/', '~1')}`),
      '/hubSelector': at('/metadata/annotations'),
      '/rollout': rolloutPointer,
    };
    const issues = error.issues.map((i) => {
      const key = Object.keys(where).find((k) => i.pointer === k || i.pointer.startsWith(`${k}/`));
      return key ? { ...i, pointer: (where[key] ?? '') + i.pointer.slice(key.length) } : i;
    });
    return invalid('The Kubernetes manifest', issues);
  }
  const { id, ...spec } = envelope.data;
  const normalized = normalizeSpec(spec, context, '/manifest', '');
  if (!normalized.ok) {
    // A bad target-condition annotation is reported where the user wrote it.
    const annotation = at(`/metadata/annotations/${ANNOTATIONS.targetCondition.replace('/', '~1')}`);
    const issues = normalized.error.issues.map((i) => (i.pointer === '/target/condition' ? { ...i, pointer: annotation } : i));
    return fail(new AppError(normalized.error.code, normalized.error.status, normalized.error.message, { issues, retryable: false }));
  }
  return ok({ id, spec: storedSpec(spec as DeploymentSpec, normalized.value), normalized: normalized.value });
}

const idMismatch = (pointer: string, id: string): Result<never> =>
  invalid('The deployment', [{ pointer, detail: `must match the id in the URL ('${id}')`, code: 'id_mismatch' }]);
