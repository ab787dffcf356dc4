// The Azure IoT Edge virtual-kubelet provider's conventions, honoured so its
// samples deploy as they did there (Azure/iot-edge-virtual-kubelet-provider,
// src/Microsoft.Azure.VirtualKubelet.Edge.Provider/EdgeProvider.cs, CreatePodAsync):
// - pod annotations `isEdgeDeployment: "true"` (marks an edge deployment),
//   `targetCondition` (copied to the configuration), `priority` (default 10),
//   `loggingOptions`;
// - a ConfigMap named after a container: `status`, `restartPolicy`, `version`,
//   `createOptions` (JSON text), `desiredProperties` (the module twin, JSON text);
// - ConfigMap `edgehub`: `desiredProperties` with `routes` and `storeAndForwardConfiguration`;
// - ConfigMap `edgeagent`: `desiredProperties` with registry credentials and edgeHub env;
// - `nodeSelector: {type: virtual-kubelet}` and the `azure.com/iotedge` toleration only
//   scheduled the pod onto the provider's virtual node.
import { toPointer } from '../../../errors';
import { isPlainObject } from '../canonicalJson';

export const VK = {
  edgeDeployment: 'isEdgeDeployment',
  targetCondition: 'targetCondition',
  priority: 'priority',
  loggingOptions: 'loggingOptions',
} as const;

/** The provider's scheduling hint: `nodeSelector: {type: virtual-kubelet}`. */
export const VK_NODE_SELECTOR = { key: 'type', value: 'virtual-kubelet' } as const;

export interface Annotation {
  readonly value: string;
  readonly pointer: string;
}

interface Metadata {
  readonly annotations?: Readonly<Record<string, string>> | undefined;
}

/**
 * A workload's annotations with where each was written: the pod template's (the
 * provider saw pods) win over the Deployment's own metadata.
 */
export function workloadAnnotations(
  doc: { readonly kind: string; readonly metadata?: Metadata | undefined; readonly spec: unknown },
  prefix: string,
): Map<string, Annotation> {
  const out = new Map<string, Annotation>();
  const add = (metadata: Metadata | undefined, path: string[]) => {
    for (const [key, value] of Object.entries(metadata?.annotations ?? {})) out.set(key, { value, pointer: toPointer([...path, 'annotations', key], prefix) });
  };
  add(doc.metadata, ['metadata']);
  if (doc.kind === 'Deployment' && isPlainObject(doc.spec) && isPlainObject(doc.spec.template)) {
    add(doc.spec.template.metadata as Metadata | undefined, ['spec', 'template', 'metadata']);
  }
  return out;
}

export const isVirtualKubeletEdge = (annotations: ReadonlyMap<string, Annotation>) => annotations.get(VK.edgeDeployment)?.value === 'true';

export interface ConfigMapDoc {
  readonly name: string;
  readonly data: Readonly<Record<string, string>>;
  readonly pointer: string;
}

/** A ConfigMap document as the provider read it, or undefined when the document is not one. */
export function configMapOf(value: unknown, pointer: string): ConfigMapDoc | undefined {
  if (!isPlainObject(value) || value.kind !== 'ConfigMap' || !isPlainObject(value.metadata) || typeof value.metadata.name !== 'string') return undefined;
  const data = isPlainObject(value.data) ? Object.fromEntries(Object.entries(value.data).filter((e): e is [string, string] => typeof e[1] === 'string')) : {};
  return { name: value.metadata.name, data, pointer };
}
