// What the API returns for a deployment, its revisions and its hubs. Built
// from stored records only; never includes registry secrets (revisions hold names).
import { configurationId } from '../../domain/deployments/configurationId';
import type { DeploymentHead, HubTarget, RevisionRecord } from './deploymentStore';

export interface DeploymentView {
  readonly id: string;
  readonly revision: number;
  readonly etag: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly priority: number;
  readonly target: unknown;
  readonly hubSelector: unknown;
  readonly manifest: unknown;
  readonly targetCondition: string;
  readonly hubs: readonly string[];
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly deletedAt?: string;
}

export interface HubTargetView {
  readonly hub: string;
  readonly configurationId: string | null;
  readonly desiredRevision: number | null;
  readonly state: HubTarget['state'];
  readonly appliedRevision: number | null;
  readonly attempts: number;
  readonly lastError: { readonly code: string; readonly message: string } | null;
  readonly lastAttemptAt: string | null;
  readonly nextAttemptAt: string | null;
}

export interface RevisionView {
  readonly revision: number;
  readonly createdAt: string;
  readonly cause: RevisionRecord['cause'];
  readonly targetCondition: string;
  readonly hubs: readonly string[];
  readonly spec: RevisionRecord['spec'];
}

export const revisionETag = (revision: number): string => `"r${revision}"`;

export function deploymentView(head: DeploymentHead, current: RevisionRecord): DeploymentView {
  return {
    id: head.id,
    revision: head.currentRevision,
    etag: revisionETag(head.currentRevision),
    labels: head.labels,
    priority: current.spec.priority,
    target: current.spec.target ?? null,
    hubSelector: current.spec.hubSelector,
    manifest: current.spec.manifest,
    targetCondition: current.targetCondition,
    hubs: current.hubs,
    createdAt: head.createdAt,
    updatedAt: head.updatedAt,
    ...(head.deletedAt ? { deletedAt: head.deletedAt } : {}),
  };
}

export function hubTargetView(t: HubTarget): HubTargetView {
  return {
    hub: t.hub,
    configurationId: t.desiredRevision === null ? null : configurationId(t.deploymentId, t.desiredRevision),
    desiredRevision: t.desiredRevision,
    state: t.state,
    appliedRevision: t.appliedRevision ?? null,
    attempts: t.attempts,
    lastError: t.lastError ?? null,
    lastAttemptAt: t.lastAttemptAt ?? null,
    nextAttemptAt: t.nextAttemptAt ?? null,
  };
}

export function revisionView(r: RevisionRecord): RevisionView {
  return { revision: r.number, createdAt: r.createdAt, cause: r.cause, targetCondition: r.targetCondition, hubs: r.hubs, spec: r.spec };
}
