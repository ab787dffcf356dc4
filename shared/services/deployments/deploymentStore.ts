// The desired state the fan-out and the reconciler converge hubs to: a
// deployment's head, its immutable revisions, and one target row per hub.
// Implemented over Table storage (adapters/tables/tableDeploymentStore.ts).
import type { Revision } from '../../domain/deployments/revision';

export interface DeploymentHead {
  readonly id: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly currentRevision: number;
  /** Set when DELETE was accepted; the reconciler removes the hubs' configurations, then the rows. */
  readonly deletedAt?: string;
  readonly createdAt: string;
  readonly updatedAt: string;
  /**
   * The Kubernetes surface's field ownership (metadata.managedFields entries),
   * on the head so it is written in the same transaction as the revision it describes.
   */
  readonly managedFields?: readonly unknown[];
}

/** A stored revision: the domain's revision (no secrets: registry credentials are names) plus where it went. */
export interface RevisionRecord extends Revision {
  readonly deploymentId: string;
  /** Hubs the selector chose when the revision was made. */
  readonly hubs: readonly string[];
}

export type HubSyncState = 'pending' | 'applied' | 'failed' | 'removed';

export interface HubTarget {
  readonly deploymentId: string;
  readonly hub: string;
  /** The revision this hub should run; null when the hub must have none of this deployment's configurations. */
  readonly desiredRevision: number | null;
  readonly state: HubSyncState;
  readonly attempts: number;
  readonly lastError?: { readonly code: string; readonly message: string };
  readonly lastAttemptAt?: string;
  readonly nextAttemptAt?: string;
  readonly appliedRevision?: number;
  /**
   * A progressive rollout's narrowed wave: only the devices matching this
   * target condition (ANDed with the revision's own) get desiredRevision ...
   */
  readonly narrowTo?: string;
  /** ... while the hub's other devices keep this revision: its configuration stays on the hub until the hub is whole. */
  readonly alongsideRevision?: number;
}

/** A hub a rollout reached, with the condition its devices are narrowed to (null: the whole hub). */
export interface HubAssignment {
  readonly hub: string;
  readonly narrowTo: string | null;
}

/** The target already holds `revision` the way it is assigned (narrowed to the same devices, or whole). */
export function holdsAssignment(target: HubTarget | undefined, revision: number, narrowTo: string | null): boolean {
  return target?.desiredRevision === revision && (target.narrowTo ?? null) === narrowTo;
}

/**
 * What a hub's other devices keep while it moves to a narrowed revision: what
 * they ran before (a hub already narrowed keeps what it kept).
 */
export function alongsideOf(existing: HubTarget | undefined, revision: number): number | undefined {
  if (!existing || existing.desiredRevision === null) return undefined;
  if (existing.desiredRevision === revision || existing.alongsideRevision !== undefined) return existing.alongsideRevision;
  return existing.desiredRevision;
}

export interface Page<T> {
  readonly items: readonly T[];
  readonly continuationToken?: string;
}

export interface NewRevision {
  readonly revision: RevisionRecord;
  /** Every hub that should hold a configuration of the deployment now; others get desiredRevision null. */
  readonly hubs: readonly string[];
  readonly labels: Readonly<Record<string, string>>;
  /**
   * Hubs among `hubs` whose rows stay as they are (a progressive rollout holds
   * them at the previous revision until their wave); they are not set to remove either.
   */
  readonly keep?: readonly string[];
  /** Hubs among `hubs` that get the revision for some devices only: hub -> target condition text (see HubTarget.narrowTo). */
  readonly narrowed?: Readonly<Record<string, string>>;
  /** The deployment's sealed inline registry secrets, written in the same transaction (absent: left as they are). */
  readonly secrets?: string;
  /** The head's managedFields after this revision (absent: left as they are; writes outside the Kubernetes surface). */
  readonly managedFields?: readonly unknown[];
}

export interface SyncOutcome {
  readonly state: HubSyncState;
  readonly error?: { readonly code: string; readonly message: string };
  readonly nextAttemptAt?: string;
  readonly at: string;
}

export interface DeploymentStore {
  /** Atomically writes head, first revision and hub targets; 409 if the id exists. */
  create(id: string, first: NewRevision): Promise<DeploymentHead>;
  /** Atomically appends a revision if the head is still at `expectedRevision` (412 otherwise, 404 if absent). */
  addRevision(id: string, expectedRevision: number, next: NewRevision): Promise<DeploymentHead>;
  /**
   * Points the current revision at a new set of hubs without a new revision (the
   * HUBS setting changed under a selector). Ignored when the head moved on (false).
   */
  retarget(id: string, revision: number, hubs: readonly string[]): Promise<boolean>;
  /**
   * Points the given hubs at the current revision (a rollout reached their wave),
   * narrowed or whole; hubs already there as asked keep their sync state.
   * Ignored when the head moved on (false).
   */
  assignHubs(id: string, revision: number, hubs: readonly HubAssignment[]): Promise<boolean>;
  /** Marks the deployment deleted and sets every hub target to remove its configurations. */
  markDeleted(id: string, expectedRevision: number | undefined, at: string): Promise<DeploymentHead>;
  get(id: string): Promise<DeploymentHead | undefined>;
  getRevision(id: string, revision: number): Promise<RevisionRecord | undefined>;
  listRevisions(id: string, options: { pageSize: number; continuationToken?: string }): Promise<Page<RevisionRecord>>;
  list(options: { pageSize: number; continuationToken?: string; labels?: Readonly<Record<string, string>>; includeDeleted?: boolean }): Promise<Page<DeploymentHead>>;
  hubTargets(id: string): Promise<HubTarget[]>;
  /** Every deployment head (deleted ones included) and hub target: the reconciler's view of desired state. */
  desiredState(): Promise<{ heads: DeploymentHead[]; targets: HubTarget[] }>;
  /** Records a sync result, unless the target's desired revision moved on meanwhile (returns false then). */
  recordSync(id: string, hub: string, forRevision: number | null, outcome: SyncOutcome): Promise<boolean>;
  /** Drops every row of a deleted deployment once no hub holds its configurations. */
  purge(id: string): Promise<void>;
  /** The deployment's sealed inline registry secrets (see registrySecrets.ts); undefined when it has none. */
  secrets(id: string): Promise<string | undefined>;
  /**
   * Replaces the sealed secrets without a new revision (a rotated password), if the
   * head is still at `expectedRevision` (412 otherwise): the hubs pick it up at their next sync.
   */
  replaceSecrets(id: string, expectedRevision: number, sealed: string, metadata?: { readonly managedFields?: readonly unknown[] }): Promise<DeploymentHead>;
  /**
   * Replaces the head's managedFields without a new revision (a write that
   * changed only who owns what), if the head is still at `expectedRevision` (412 otherwise).
   */
  replaceManagedFields(id: string, expectedRevision: number, managedFields: readonly unknown[]): Promise<DeploymentHead>;
}
