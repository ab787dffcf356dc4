// Manifest form 3: a Kubernetes Pod or apps/v1 Deployment, as YAML/JSON text or
// as an object inside the JSON request.
import { z } from 'zod';
import { updatePolicySchema } from '../../registry/updatePolicySchema';
import type { ManifestTranslation } from '../manifestForm';
import { moduleNameSchema } from '../moduleFields';
import { ok, type Result } from '../result';
import { invalid } from '../result';
import { parseKubernetesObject, parseKubernetesText } from './parseDocument';
import { translateKubernetes } from './translate';

export const kubernetesManifestSchema = z
  .strictObject({
    kubernetes: z
      .union([z.string().min(1), z.record(z.string(), z.unknown())])
      .meta({ description: 'A Kubernetes Pod (v1) or Deployment (apps/v1): YAML or JSON text, or the object itself' }),
    updatePolicies: z
      .record(moduleNameSchema, updatePolicySchema)
      .optional()
      .meta({ description: 'How modules (container names) follow new image pushes' }),
  })
  .meta({ description: 'Manifest form 3: a Kubernetes Pod or Deployment, translated to IoT Edge modules' });
export type KubernetesManifest = z.infer<typeof kubernetesManifestSchema>;

/** `documentPointer` is where the Kubernetes document itself sits in the request ('' for a bare YAML body). */
export function translateKubernetesManifest(manifest: KubernetesManifest, documentPointer: string): Result<ManifestTranslation> {
  let value: unknown = manifest.kubernetes;
  if (typeof value === 'string') {
    const text = parseKubernetesText(value, documentPointer);
    if (!text.ok) return text;
    value = text.value;
  }
  const doc = parseKubernetesObject(value, documentPointer);
  if (!doc.ok) return doc;
  const result = translateKubernetes(doc.value, documentPointer);
  if ('issues' in result) return invalid('The Kubernetes manifest', result.issues, 'UnsupportedKubernetesManifest');
  return ok({ ...result.translation, updatePolicies: manifest.updatePolicies ?? {} });
}
