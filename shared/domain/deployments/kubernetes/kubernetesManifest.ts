// Manifest form 3: Kubernetes input as people write it: one Pod or Deployment
// (apps/v1), as YAML/JSON text (several `---` documents are fine) or as an
// object (or a list of objects) inside the JSON request. Documents that are not
// the workload are skipped with a warning each; virtual-kubelet ConfigMaps are read.
import { z } from 'zod';
import { toPointer } from '../../../errors';
import { updatePolicySchema } from '../../registry/updatePolicySchema';
import { isPlainObject } from '../canonicalJson';
import type { ManifestTranslation } from '../manifestForm';
import { moduleNameSchema } from '../moduleFields';
import { invalid, ok, type Result } from '../result';
import type { DeploymentWarning } from '../warnings';
import { isWorkload, parseKubernetesObject, parseKubernetesStream, type StreamDocument } from './parseDocument';
import { type KubernetesObject, translateKubernetes } from './translate';
import { configMapOf } from './virtualKubelet';

export const kubernetesManifestSchema = z
  .strictObject({
    kubernetes: z
      .union([z.string().min(1), z.record(z.string(), z.unknown()), z.array(z.record(z.string(), z.unknown())).min(1)])
      .meta({ description: 'A Kubernetes Pod (v1) or Deployment (apps/v1): YAML or JSON text (several documents allowed), the object itself, or a list of objects' }),
    updatePolicies: z
      .record(moduleNameSchema, updatePolicySchema)
      .optional()
      .meta({ description: 'How modules (container names) follow new image pushes' }),
  })
  .meta({ description: 'Manifest form 3: a Kubernetes Pod or Deployment, translated to IoT Edge modules' });
export type KubernetesManifest = z.infer<typeof kubernetesManifestSchema>;

/** What one Kubernetes input becomes: the manifest translation plus the workload it came from. */
export interface KubernetesInputTranslation {
  readonly translation: ManifestTranslation;
  readonly workload: KubernetesObject;
  /** Where the workload document sits ('' or '/<index>' for a bare body). */
  readonly workloadPointer: string;
  /** The virtual-kubelet `priority` annotation, when present. */
  readonly priority?: { readonly value: number; readonly pointer: string } | undefined;
}

const describe = (value: unknown) => {
  if (!isPlainObject(value)) return 'a document that is not an object';
  const name = isPlainObject(value.metadata) && typeof value.metadata.name === 'string' ? ` '${value.metadata.name}'` : '';
  return `${typeof value.kind === 'string' ? value.kind : 'a document without kind'}${name}`;
};

function documents(input: unknown, pointer: string): Result<StreamDocument[]> {
  if (typeof input === 'string') return parseKubernetesStream(input, pointer);
  if (Array.isArray(input)) return ok((input as unknown[]).map((value, i) => ({ value, pointer: `${pointer}/${i}` })));
  return ok([{ value: input, pointer }]);
}

/**
 * Any Kubernetes input (text, object, list) as a manifest translation. `pointer`
 * is where the input sits in the request ('' for a bare body).
 */
export function translateKubernetesInput(input: unknown, pointer: string): Result<KubernetesInputTranslation> {
  const docs = documents(input, pointer);
  if (!docs.ok) return docs;
  const workloads = docs.value.filter((d) => isWorkload(d.value));
  const [workload, second] = workloads;
  if (!workload) {
    const found = docs.value.map((d) => describe(d.value)).join(', ');
    return invalid('The Kubernetes manifest', [{ pointer: workloads.length ? pointer : docs.value.length === 1 ? toPointer(['kind'], pointer) : pointer, detail: `holds no Pod (v1) or Deployment (apps/v1) (found: ${found})`, code: 'unsupported_kind' }], 'UnsupportedKubernetesManifest');
  }
  if (second) {
    return invalid('The Kubernetes manifest', [{ pointer: second.pointer, detail: `is a second workload (${describe(second.value)}); a deployment is one Pod or Deployment, one IoT Hub configuration`, code: 'second_workload' }], 'UnsupportedKubernetesManifest');
  }
  const parsed = parseKubernetesObject(workload.value, workload.pointer);
  if (!parsed.ok) return parsed;
  const configMaps = docs.value.flatMap((d) => configMapOf(d.value, d.pointer) ?? []);
  const result = translateKubernetes(parsed.value.doc, workload.pointer, { configMaps, warnings: parsed.value.warnings });
  if ('issues' in result) return invalid('The Kubernetes manifest', result.issues, 'UnsupportedKubernetesManifest');
  const used = new Set(result.usedConfigMaps);
  const skipped: DeploymentWarning[] = docs.value
    .filter((d) => d !== workload && !used.has(d.pointer))
    .map((d) => ({
      code: 'skipped_document',
      pointer: d.pointer,
      detail:
        configMapOf(d.value, d.pointer) !== undefined
          ? `${describe(d.value)} was skipped: ConfigMaps are read only for virtual-kubelet edge deployments (isEdgeDeployment: "true"), named after a container, edgehub or edgeagent`
          : `${describe(d.value)} was skipped: it has no IoT Edge equivalent (only the Pod or Deployment is deployed)`,
    }));
  return ok({
    translation: { ...result.translation, warnings: [...skipped, ...(result.translation.warnings ?? [])] },
    workload: parsed.value.doc,
    workloadPointer: workload.pointer,
    priority: result.priority,
  });
}

/** The manifest form inside a request; `documentPointer` is where the Kubernetes input itself sits. */
export function translateKubernetesManifest(manifest: KubernetesManifest, documentPointer: string): Result<ManifestTranslation> {
  const result = translateKubernetesInput(manifest.kubernetes, documentPointer);
  if (!result.ok) return result;
  const warnings = [...(result.value.translation.warnings ?? [])];
  if (result.value.priority && documentPointer !== '') {
    warnings.push({ code: 'ignored_annotation', pointer: result.value.priority.pointer, detail: "the request's priority applies; the virtual-kubelet priority annotation is read only when the Kubernetes document is the whole body" });
  }
  return ok({ ...result.value.translation, warnings, updatePolicies: manifest.updatePolicies ?? {} });
}
