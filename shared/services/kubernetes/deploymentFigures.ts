// A deployment's Kubernetes status from what the control plane knows
// (docs/kubernetes-api.md, "Honest status"): replicas are the targeted
// devices, updated those on the current revision, ready/available those
// running it; offline devices are never ready. Conditions come from the
// reconciler's rollout conditions, in Deployment terms.
import type { DeploymentFigures } from '../../domain/kubernetes/deploymentObject';
import type { DeploymentStatus } from '../deployments/deploymentStatus';

export function deploymentFigures(status: DeploymentStatus): DeploymentFigures {
  const d = status.devices;
  const onRevision = d.succeeded + d.progressing + d.failed + d.offline + d.unknown;
  const replicas = Math.max(status.totals.targetedCount, onRevision);
  const ready = d.succeeded;
  // Seen by the controller: every hub that should hold this revision holds it.
  const observed = status.hubs.length > 0 && status.hubs.every((h) => h.desiredRevision !== status.revision || h.appliedRevision === status.revision);
  const find = (type: string) => status.conditions.find((c) => c.type === type && c.status === 'True');
  const deadline = find('ProgressDeadlineExceeded');
  const complete = find('Complete');
  const degraded = find('Degraded');
  const progressing = status.conditions.find((c) => c.type === 'Progressing');
  const now = new Date().toISOString();
  const time = (t: string | undefined) => `${(t ?? now).slice(0, 19)}Z`;
  const progressingCondition = deadline
    ? { type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded', message: deadline.message, lastTransitionTime: time(deadline.lastTransitionTime) }
    : complete && ready >= onRevision && onRevision === replicas
      ? { type: 'Progressing', status: 'True', reason: 'NewReplicaSetAvailable', message: complete.message, lastTransitionTime: time(complete.lastTransitionTime) }
      : { type: 'Progressing', status: 'True', reason: 'ReplicaSetUpdated', message: progressing?.message ?? `revision ${status.revision}: ${ready} of ${replicas} devices running`, lastTransitionTime: time(progressing?.lastTransitionTime) };
  const availableCondition =
    ready > 0 && !degraded
      ? { type: 'Available', status: 'True', reason: 'MinimumReplicasAvailable', message: `${ready} of ${replicas} targeted devices run revision ${status.revision}`, lastTransitionTime: time(status.devicesAsOf ?? undefined) }
      : { type: 'Available', status: 'False', reason: degraded ? 'Degraded' : 'MinimumReplicasUnavailable', message: degraded?.message ?? `${ready} of ${replicas} targeted devices run revision ${status.revision} (${d.failed} failed, ${d.offline} offline)`, lastTransitionTime: time(degraded?.lastTransitionTime ?? status.devicesAsOf ?? undefined) };
  return { replicas, updatedReplicas: onRevision, readyReplicas: ready, observed, conditions: [availableCondition, progressingCondition] };
}
