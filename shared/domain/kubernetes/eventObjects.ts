// What happened to a deployment, as core v1 Events, so `kubectl describe
// deployment` and `kubectl get events` show the rollout's transitions
// (https://kubernetes.io/docs/reference/kubernetes-api/cluster-resources/event-v1/).
// Nothing is written as an event: each one is derived from a record that
// already holds the transition and its time (a revision, a hub's sync state,
// a progressive rollout's history, a condition's lastTransitionTime), so the
// events cannot disagree with the status and need no storage of their own.
import { createHash } from 'node:crypto';
import type { RolloutState } from '../rollout/rolloutMachine';
import { k8sTime, NAMESPACE } from './deploymentObject';

type Obj = Record<string, unknown>;

export type EventType = 'Normal' | 'Warning';

/** The component an event comes from (`source.component`, kubectl's FROM column). */
export const API_COMPONENT = 'edge-fleet-api';
// Hub syncs are made by the API's fan-out and by the reconciler alike: one controller name for both.
export const CONTROLLER_COMPONENT = 'edge-fleet-controller';

export interface InvolvedObject {
  readonly kind: string;
  readonly apiVersion: string;
  readonly name: string;
  readonly uid: string;
  readonly namespace?: string;
  readonly resourceVersion?: string;
}

export interface Happening {
  readonly at: string;
  readonly type: EventType;
  readonly reason: string;
  readonly message: string;
  readonly component: string;
}

export interface RevisionFact {
  readonly revision: number;
  readonly createdAt: string;
  readonly cause: { readonly kind?: string; readonly toRevision?: number; readonly [k: string]: unknown };
}

export interface HubSyncFact {
  readonly hub: string;
  readonly state: 'pending' | 'applied' | 'failed' | 'removed';
  readonly desiredRevision: number | null;
  readonly appliedRevision: number | null;
  readonly attempts: number;
  readonly lastError: { readonly message: string } | null;
  readonly lastAttemptAt: string | null;
}

export interface ConditionFact {
  readonly type: string;
  readonly status: string;
  readonly reason: string;
  readonly message: string;
  readonly lastTransitionTime: string;
}

export interface DeploymentFacts {
  readonly name: string;
  readonly revisions: readonly RevisionFact[];
  readonly hubs: readonly HubSyncFact[];
  readonly rollout?: Pick<RolloutState, 'revision' | 'history'> | undefined;
  readonly conditions: readonly ConditionFact[];
}

function revisionHappening(name: string, r: RevisionFact): Happening {
  const rs = `${name}-r${r.revision}`;
  const why =
    r.cause.kind === 'rollback'
      ? `rollback to revision ${r.cause.toRevision}`
      : r.cause.kind === 'registry'
        ? 'a registry push'
        : r.cause.kind === 'create'
          ? 'created'
          : (r.cause.kind ?? 'update');
  return { at: r.createdAt, type: 'Normal', reason: r.cause.kind === 'rollback' ? 'RolledBack' : 'NewRevision', message: `revision ${r.revision} (${why}): replica set ${rs} goes out to the hubs`, component: API_COMPONENT };
}

function hubHappening(h: HubSyncFact): Happening | undefined {
  if (!h.lastAttemptAt) return undefined;
  if (h.state === 'applied' && h.appliedRevision !== null) return { at: h.lastAttemptAt, type: 'Normal', reason: 'HubSynced', message: `hub ${h.hub} holds revision ${h.appliedRevision}`, component: CONTROLLER_COMPONENT };
  if (h.state === 'removed') return { at: h.lastAttemptAt, type: 'Normal', reason: 'HubRemoved', message: `hub ${h.hub} no longer holds the deployment`, component: CONTROLLER_COMPONENT };
  if (!h.lastError) return undefined;
  const failed = h.state === 'failed';
  return {
    at: h.lastAttemptAt,
    type: 'Warning',
    reason: failed ? 'HubSyncFailed' : 'HubSyncRetrying',
    message: `hub ${h.hub}${h.desiredRevision !== null ? `, revision ${h.desiredRevision}` : ''}: ${h.lastError.message} (attempt ${h.attempts}${failed ? '; needs a change' : '; retried'})`,
    component: CONTROLLER_COMPONENT,
  };
}

/** A progressive rollout's phases: a failed gate, an abort and a rollback are warnings. */
function rolloutHappenings(rollout: NonNullable<DeploymentFacts['rollout']>): Happening[] {
  return rollout.history.map((t) => ({
    at: t.at,
    type: t.to === 'rollingBack' || t.to === 'rolledBack' || (t.to === 'paused' && t.reason !== 'Paused') ? 'Warning' : 'Normal',
    reason: `Rollout${t.reason}`,
    message: t.message.startsWith('revision ') ? t.message : `revision ${rollout.revision}: ${t.message}`,
    component: CONTROLLER_COMPONENT,
  }));
}

/** A condition's present state, at the time it became so. Conditions that are only "not yet" say nothing. */
function conditionHappening(c: ConditionFact): Happening | undefined {
  const warning = (c.type === 'Degraded' || c.type === 'ProgressDeadlineExceeded') && c.status === 'True';
  const stalled = c.type === 'Progressing' && c.status === 'False';
  const done = c.type === 'Complete' && c.status === 'True';
  if (!warning && !stalled && !done) return undefined;
  return { at: c.lastTransitionTime, type: warning || stalled ? 'Warning' : 'Normal', reason: c.reason, message: `${c.type}: ${c.message}`, component: CONTROLLER_COMPONENT };
}

/** Everything the records say happened to a deployment, oldest first. */
export function deploymentHappenings(facts: DeploymentFacts): Happening[] {
  const shown = new Set(facts.revisions.map((r) => r.revision));
  return [
    ...facts.revisions.map((r) => revisionHappening(facts.name, r)),
    ...facts.hubs.flatMap((h) => hubHappening(h) ?? []),
    ...(facts.rollout && shown.has(facts.rollout.revision) ? rolloutHappenings(facts.rollout) : []),
    ...facts.conditions.flatMap((c) => conditionHappening(c) ?? []),
  ].sort((a, b) => a.at.localeCompare(b.at));
}

/** One happening as a v1 Event about `object`; its name and uid are stable, so a re-read is the same event. */
export function renderEvent(object: InvolvedObject, h: Happening): Obj {
  const digest = createHash('sha256').update(`${object.uid}\n${h.at}\n${h.reason}\n${h.message}`).digest('hex');
  const time = k8sTime(h.at);
  return {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: {
      // The apiserver's recorder names events `<object>.<hex>`.
      name: `${object.name}.${digest.slice(0, 16)}`,
      namespace: object.namespace ?? NAMESPACE,
      uid: `${digest.slice(16, 24)}-${digest.slice(24, 28)}-${digest.slice(28, 32)}-${digest.slice(32, 36)}-${digest.slice(36, 48)}`,
      resourceVersion: String(Date.parse(h.at)),
      creationTimestamp: time,
    },
    involvedObject: { kind: object.kind, namespace: object.namespace ?? NAMESPACE, name: object.name, uid: object.uid, apiVersion: object.apiVersion, ...(object.resourceVersion ? { resourceVersion: object.resourceVersion } : {}) },
    reason: h.reason,
    message: h.message,
    source: { component: h.component },
    firstTimestamp: time,
    lastTimestamp: time,
    count: 1,
    type: h.type,
    eventTime: null,
    reportingComponent: h.component,
    reportingInstance: '',
  };
}

export interface HubReachability {
  readonly hub: string;
  readonly reachable: boolean;
  readonly checkedAt: string;
  readonly lastError?: string;
  readonly gcFence?: { readonly reason: string; readonly message: string };
}

/** A hub (Node) that did not answer, or whose garbage collection is fenced, as of the last check; a healthy hub has nothing to say. */
export function hubHappenings(s: HubReachability): Happening[] {
  return [
    ...(s.reachable ? [] : [{ at: s.checkedAt, type: 'Warning' as const, reason: 'NodeNotReady', message: `hub ${s.hub} did not answer the reconcile pass: ${s.lastError ?? 'unreachable'}`, component: CONTROLLER_COMPONENT }]),
    ...(s.gcFence ? [{ at: s.checkedAt, type: 'Warning' as const, reason: s.gcFence.reason, message: `garbage collection stopped on hub ${s.hub}: ${s.gcFence.message}`, component: CONTROLLER_COMPONENT }] : []),
  ];
}
