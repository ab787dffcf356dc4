// The Deployment-shaped workload of a stored revision: the Kubernetes object
// the user sent, or, for a deployment made from an IoT Edge manifest, the
// read-only view of its modules (domain/kubernetes/manifestWorkload.ts).
import type { ModulesContent } from '../../domain/deployments/edgeContent';
import { parseKubernetesStream } from '../../domain/deployments/kubernetes/parseDocument';
import { storedWorkload } from '../../domain/kubernetes/deploymentObject';
import { manifestWorkload } from '../../domain/kubernetes/manifestWorkload';

type Obj = Record<string, unknown>;

const parseText = (text: string): unknown[] => {
  const docs = parseKubernetesStream(text, '');
  return docs.ok ? docs.value.map((d) => d.value) : [];
};

export const workloadOf = (id: string, manifest: unknown, content: ModulesContent): Obj => storedWorkload(manifest, parseText) ?? manifestWorkload(id, content);
