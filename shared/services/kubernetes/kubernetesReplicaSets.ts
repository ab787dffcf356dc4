// apps/v1 ReplicaSets: each of a deployment's last revisions (revisionHistoryLimit
// 10) as a read-only ReplicaSet, which is how kubectl reads `rollout history`
// and finds the template `rollout undo` restores.
import { renderReplicaSet } from '../../domain/kubernetes/replicaSetObject';
import { getDeployment } from '../deployments/deploymentsService';
import { type KubernetesDeploymentsDeps, listDeploymentObjects, type ListOptions } from './kubernetesDeployments';
import { recentRevisions } from './recentRevisions';
import { workloadOf } from './revisionWorkload';

type Obj = Record<string, unknown>;
const HISTORY = 10;

/** The ReplicaSets of every deployment the list yields (one per recent revision). */
export async function listReplicaSetObjects(deps: KubernetesDeploymentsDeps, options: ListOptions): Promise<{ items: Obj[] }> {
  const deployments = await listDeploymentObjects(deps, { limit: 100, labels: undefined });
  const deploymentsDeps = await deps.deployments();
  const items: Obj[] = [];
  for (const d of deployments.items) {
    const metadata = d.metadata as { name: string; creationTimestamp: string; generation: number };
    const spec = d.spec as { selector?: unknown; template?: Obj };
    const status = d.status as { replicas?: number; readyReplicas?: number };
    const { deployment } = await getDeployment(deploymentsDeps, metadata.name);
    for (const revision of await recentRevisions(deploymentsDeps.store, metadata.name, metadata.generation, HISTORY)) {
      const template = (workloadOf(metadata.name, revision.spec.manifest, revision.content).spec as { template?: Obj } | undefined)?.template;
      if (!template) continue;
      const current = revision.number === metadata.generation;
      const cause = revision.cause as { kind?: string; toRevision?: number };
      items.push(
        renderReplicaSet({
          deployment: { id: metadata.name, createdAt: deployment.createdAt, selector: spec.selector },
          number: revision.number,
          createdAt: revision.createdAt,
          template: current && spec.template ? spec.template : template,
          current,
          ...(current ? { figures: { replicas: status.replicas ?? 0, readyReplicas: status.readyReplicas ?? 0 } } : {}),
          changeCause: cause.kind === 'rollback' ? `rollback to revision ${cause.toRevision}` : (cause.kind ?? ''),
        }),
      );
    }
  }
  const name = options.name;
  return { items: items.filter((rs) => name === undefined || (rs.metadata as { name: string }).name === name) };
}
