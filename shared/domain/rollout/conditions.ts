// Rollout conditions in the style of Kubernetes Deployments, computed from
// what the reconciler observes each pass. A condition keeps its
// lastTransitionTime while its status stays the same, so status does not flap.

export type ConditionType = 'Progressing' | 'Complete' | 'Degraded' | 'ProgressDeadlineExceeded';
export type ConditionStatus = 'True' | 'False' | 'Unknown';

export interface Condition {
  readonly type: ConditionType;
  readonly status: ConditionStatus;
  readonly reason: string;
  readonly message: string;
  readonly lastTransitionTime: string;
  /** The revision this condition was computed for. */
  readonly observedRevision: number;
}

/** Devices of the deployment's current revision by health state, summed over its hubs. */
export interface DeviceCounts {
  readonly succeeded: number;
  readonly progressing: number;
  readonly failed: number;
  /** Disconnected or silent past the threshold: reported, never counted as failures. */
  readonly offline: number;
  readonly unknown: number;
}

export interface ConditionPolicy {
  /** No progress for this long (and not complete) sets ProgressDeadlineExceeded. */
  readonly progressDeadlineSeconds: number;
  /** Failed devices above this share of the reachable targeted devices make the rollout Degraded. */
  readonly degradedFailedPercent: number;
}

export const defaultConditionPolicy: ConditionPolicy = { progressDeadlineSeconds: 600, degradedFailedPercent: 10 };

export interface Observation {
  readonly revision: number;
  readonly now: Date;
  /** Hubs by sync state: a hub that is not applied holds the rollout back. */
  readonly hubs: { readonly applied: number; readonly pending: number; readonly failed: number };
  readonly devices: DeviceCounts;
  /** When the observation last changed in a way that counts as progress (see progressKey). */
  readonly lastProgressAt: Date;
}

/** What counts as progress: more hubs applied, more devices done (succeeded or failed), fewer progressing. */
export function progressKey(o: Pick<Observation, 'hubs' | 'devices'>): string {
  return [o.hubs.applied, o.devices.succeeded, o.devices.failed, o.devices.progressing].join('/');
}

const reachable = (d: DeviceCounts) => d.succeeded + d.progressing + d.failed + d.unknown;

export function computeConditions(o: Observation, policy: ConditionPolicy, previous: readonly Condition[]): Condition[] {
  const d = o.devices;
  const allHubsApplied = o.hubs.pending === 0 && o.hubs.failed === 0;
  const targets = reachable(d);
  const failedPercent = targets ? (d.failed / targets) * 100 : 0;
  const complete = allHubsApplied && d.progressing === 0 && d.unknown === 0 && d.failed === 0;
  const stalledFor = (o.now.getTime() - o.lastProgressAt.getTime()) / 1000;
  const deadlineExceeded = !complete && stalledFor > policy.progressDeadlineSeconds;
  const summary = `${d.succeeded} succeeded, ${d.progressing} progressing, ${d.failed} failed, ${d.offline} offline, ${d.unknown} unknown on ${o.hubs.applied} applied / ${o.hubs.pending} pending / ${o.hubs.failed} failed hubs`;

  const next: Omit<Condition, 'lastTransitionTime' | 'observedRevision'>[] = [
    complete
      ? { type: 'Complete', status: 'True', reason: targets + d.offline === 0 ? 'NoDevicesTargeted' : 'AllReachableDevicesSucceeded', message: summary }
      : { type: 'Complete', status: 'False', reason: allHubsApplied ? 'DevicesNotDone' : 'HubsNotApplied', message: summary },
    deadlineExceeded
      ? { type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded', message: `no progress for ${Math.round(stalledFor)} s (deadline ${policy.progressDeadlineSeconds} s): ${summary}` }
      : complete
        ? { type: 'Progressing', status: 'True', reason: 'RolloutComplete', message: summary }
        : { type: 'Progressing', status: 'True', reason: allHubsApplied ? 'DevicesApplying' : 'HubsSyncing', message: summary },
    o.hubs.failed > 0
      ? { type: 'Degraded', status: 'True', reason: 'HubSyncFailed', message: `${o.hubs.failed} hub(s) could not be synced; see each hub's lastError` }
      : failedPercent > policy.degradedFailedPercent
        ? { type: 'Degraded', status: 'True', reason: 'DeviceFailures', message: `${failedPercent.toFixed(1)}% of reachable devices failed (threshold ${policy.degradedFailedPercent}%)` }
        : { type: 'Degraded', status: 'False', reason: 'WithinThreshold', message: `${failedPercent.toFixed(1)}% of reachable devices failed (threshold ${policy.degradedFailedPercent}%); offline devices are not failures` },
    deadlineExceeded
      ? { type: 'ProgressDeadlineExceeded', status: 'True', reason: 'NoProgress', message: `no progress for ${Math.round(stalledFor)} s` }
      : { type: 'ProgressDeadlineExceeded', status: 'False', reason: complete ? 'Complete' : 'WithinDeadline', message: `last progress ${Math.round(stalledFor)} s ago` },
  ];

  const at = o.now.toISOString();
  return next.map((c) => {
    const before = previous.find((p) => p.type === c.type);
    // A new revision starts its conditions afresh; otherwise only a status change moves the transition time.
    const keep = before && before.status === c.status && before.observedRevision === o.revision;
    return { ...c, lastTransitionTime: keep ? before.lastTransitionTime : at, observedRevision: o.revision };
  });
}
