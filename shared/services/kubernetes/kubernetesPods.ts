// v1 Pods: the devices of each deployment's current revision, read-only
// (`kubectl get pods -l app=x`), each in the state its ingested health says.
import { renderPod } from '../../domain/kubernetes/podObject';
import { matchesLabels, type Requirement } from '../../domain/kubernetes/selectors';
import { getDeployment } from '../deployments/deploymentsService';
import type { HealthStore } from '../health/healthStore';
import { listDeploymentDevices } from '../health/healthQueries';
import { kubeFail } from './kubeError';
import { type KubernetesDeploymentsDeps, listDeploymentObjects } from './kubernetesDeployments';

type Obj = Record<string, unknown>;

interface PodCursor {
  readonly d: number;
  readonly t?: string;
}

/**
 * Pods of every deployment whose template labels match: paged over
 * deployments and then the health store's own pages; the continue token is
 * opaque base64url.
 */
export async function listPodObjects(deps: KubernetesDeploymentsDeps & { health: HealthStore }, options: { limit: number; continueToken?: string | undefined; requirements: readonly Requirement[] }): Promise<{ items: Obj[]; continueToken?: string }> {
  let cursor: PodCursor = { d: 0 };
  if (options.continueToken) {
    try {
      cursor = JSON.parse(Buffer.from(options.continueToken, 'base64url').toString('utf8')) as PodCursor;
    } catch {
      throw kubeFail(410, 'the continue token is not one this server issued; list again from the start');
    }
  }
  const deployments = (await listDeploymentObjects(deps, { limit: 100 })).items.filter((d) => {
    const template = (d.spec as { template?: { metadata?: { labels?: Record<string, string> } } }).template;
    return matchesLabels(options.requirements.filter((r) => r.key !== 'pod-template-hash'), template?.metadata?.labels ?? {});
  });
  const items: Obj[] = [];
  while (cursor.d < deployments.length && items.length < options.limit) {
    const d = deployments[cursor.d]!;
    const metadata = d.metadata as { name: string; generation: number };
    const { deployment, hubs } = await getDeployment(await deps.deployments(), metadata.name);
    const template = (d.spec as { template: Obj }).template;
    const page = await listDeploymentDevices(deps.health, { hubs: hubs.map((h) => h.hub), deploymentId: metadata.name, revision: metadata.generation, pageSize: options.limit - items.length, ...(cursor.t ? { continuationToken: cursor.t } : {}) });
    for (const device of page.items) {
      items.push(renderPod({ deployment: { id: metadata.name, createdAt: deployment.createdAt, revision: metadata.generation, template }, hub: device.hub, deviceId: device.deviceId, state: device.state, restarts: device.restarts }));
    }
    cursor = page.continuationToken ? { d: cursor.d, t: page.continuationToken } : { d: cursor.d + 1 };
  }
  const more = cursor.d < deployments.length;
  return { items, ...(more ? { continueToken: Buffer.from(JSON.stringify(cursor)).toString('base64url') } : {}) };
}
