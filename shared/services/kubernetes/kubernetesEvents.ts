// core v1 Events of deployments and nodes (hubs), read from the records that
// hold each transition (see domain/kubernetes/eventObjects.ts). kubectl
// describe asks for one object's events with
// `fieldSelector=involvedObject.name=…,involvedObject.namespace=…,involvedObject.kind=…,involvedObject.uid=…`
// (kubectl/pkg/describe/describe.go searchEvents); that name is read alone.
import { type DeploymentFacts, deploymentHappenings, hubHappenings, type InvolvedObject, renderEvent } from '../../domain/kubernetes/eventObjects';
import { uidOf } from '../../domain/kubernetes/deploymentObject';
import type { HubSetting } from '../../config/settings';
import { isAppError, notFound } from '../../errors';
import { deploymentStatus } from '../deployments/deploymentStatus';
import { listDeployments } from '../deployments/deploymentsService';
import type { HubStatusStore } from '../hubs/hubStatusStore';
import type { KubernetesDeploymentsDeps } from './kubernetesDeployments';
import { recentRevisions } from './recentRevisions';

type Obj = Record<string, unknown>;

export interface EventsDeps extends KubernetesDeploymentsDeps {
  readonly hubs: readonly HubSetting[];
  readonly hubStatus: HubStatusStore;
  readonly startedAt: string;
}

/** The revisions kubectl shows as ReplicaSets (revisionHistoryLimit 10) are the ones with events. */
const HISTORY = 10;
/** Deployments read for an unfiltered `kubectl get events`: beyond this, narrow with a field selector. */
const MAX_DEPLOYMENTS = 200;

async function deploymentEvents(deps: KubernetesDeploymentsDeps, name: string): Promise<Obj[]> {
  const { store } = await deps.deployments();
  // The head alone (creation time, current revision): the status read below reads the rest.
  const head = await store.get(name);
  if (!head || head.deletedAt) throw notFound(`deployment '${name}'`, 'DeploymentNotFound');
  const [status, rollout, revisions] = await Promise.all([deploymentStatus(deps.status, name), deps.control.rollouts.get(name), recentRevisions(store, name, head.currentRevision, HISTORY)]);
  const facts: DeploymentFacts = { name, revisions: revisions.map((r) => ({ revision: r.number, createdAt: r.createdAt, cause: r.cause })), hubs: status.hubs, rollout: rollout?.state, conditions: status.conditions };
  const object: InvolvedObject = { kind: 'Deployment', apiVersion: 'apps/v1', name, uid: uidOf(name, head.createdAt), resourceVersion: String(head.currentRevision) };
  return deploymentHappenings(facts).map((h) => renderEvent(object, h));
}

async function nodeEvents(deps: EventsDeps, only?: string): Promise<Obj[]> {
  const statuses = (await deps.hubStatus.all()).filter((s) => deps.hubs.some((h) => h.name === s.hub) && (only === undefined || s.hub === only));
  // Nodes are cluster-scoped: their events live in the default namespace, as the kubelet's do.
  return statuses.flatMap((s) => hubHappenings(s).map((h) => renderEvent({ kind: 'Node', apiVersion: 'v1', name: s.hub, uid: uidOf(`node/${s.hub}`, deps.startedAt) }, h)));
}

/** Events, narrowed by the involved object's name and kind when the field selector names them. */
export async function listEventObjects(deps: EventsDeps, about: { name?: string | undefined; kind?: string | undefined }): Promise<Obj[]> {
  const wantsDeployments = about.kind === undefined || about.kind === 'Deployment';
  const wantsNodes = about.kind === undefined || about.kind === 'Node';
  const events: Obj[] = [];
  if (wantsDeployments) {
    const names = about.name !== undefined ? [about.name] : (await listDeployments(await deps.deployments(), { pageSize: MAX_DEPLOYMENTS })).items.map((d) => d.id);
    for (const name of names) {
      try {
        events.push(...(await deploymentEvents(deps, name)));
      } catch (error) {
        // A name that is no deployment (or one deleted meanwhile) has no events.
        if (!(isAppError(error) && error.status === 404)) throw error;
      }
    }
  }
  if (wantsNodes) events.push(...(await nodeEvents(deps, about.name)));
  return events.sort((a, b) => String(a.lastTimestamp).localeCompare(String(b.lastTimestamp)));
}
