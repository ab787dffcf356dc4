// Each revision of a deployment as an apps/v1 ReplicaSet controlled by it: how
// kubectl reads rollout history and finds the template `rollout undo` restores
// (it lists ReplicaSets by the Deployment's selector, keeps those whose
// controller ownerReference has the Deployment's uid, and reads the
// `deployment.kubernetes.io/revision` annotation; kubectl/pkg/polymorphichelpers/rollback.go).
import { isPlainObject } from '../deployments/canonicalJson';
import { k8sTime, NAMESPACE, resourceVersionOf, REVISION_ANNOTATION, uidOf } from './deploymentObject';

type Obj = Record<string, unknown>;
/** The label the apiserver adds to a ReplicaSet's pods and selector (apps/v1 DefaultDeploymentUniqueLabelKey). */
export const TEMPLATE_HASH_LABEL = 'pod-template-hash';

export interface RevisionOfDeployment {
  readonly deployment: { readonly id: string; readonly createdAt: string; readonly selector: unknown };
  readonly number: number;
  readonly createdAt: string;
  readonly template: Obj;
  readonly current: boolean;
  /** For the current revision: the deployment's figures; older ones show 0. */
  readonly figures?: { readonly replicas: number; readonly readyReplicas: number };
  readonly changeCause?: string;
}

export function renderReplicaSet(r: RevisionOfDeployment): Obj {
  const hash = `r${r.number}`;
  const metadata = isPlainObject(r.template.metadata) ? r.template.metadata : {};
  const labels = { ...(isPlainObject(metadata.labels) ? (metadata.labels as Record<string, string>) : {}), [TEMPLATE_HASH_LABEL]: hash };
  const matchLabels = isPlainObject(r.deployment.selector) && isPlainObject(r.deployment.selector.matchLabels) ? r.deployment.selector.matchLabels : {};
  const replicas = r.current ? (r.figures?.replicas ?? 0) : 0;
  const ready = r.current ? (r.figures?.readyReplicas ?? 0) : 0;
  const status = { replicas, readyReplicas: ready, availableReplicas: ready, observedGeneration: 1 };
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: {
      name: `${r.deployment.id}-${hash}`,
      namespace: NAMESPACE,
      uid: uidOf(`${r.deployment.id}/${hash}`, r.deployment.createdAt),
      resourceVersion: resourceVersionOf(r.number, status),
      generation: 1,
      creationTimestamp: k8sTime(r.createdAt),
      labels,
      annotations: { [REVISION_ANNOTATION]: String(r.number), ...(r.changeCause ? { 'kubernetes.io/change-cause': r.changeCause } : {}) },
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: r.deployment.id, uid: uidOf(r.deployment.id, r.deployment.createdAt), controller: true, blockOwnerDeletion: true }],
    },
    spec: { replicas, selector: { matchLabels: { ...matchLabels, [TEMPLATE_HASH_LABEL]: hash } }, template: { ...r.template, metadata: { ...metadata, labels } } },
    status,
  };
}
