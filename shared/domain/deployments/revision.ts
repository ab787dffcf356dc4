// A deployment is a list of immutable revisions; each becomes its own IoT Hub
// configuration (content cannot change in place). Rollback is a new revision
// that carries an old one's spec and content, so history only grows.
import type { UpdatePolicy } from '../registry/updatePolicySchema';
import type { DeploymentSpec, NormalizedSpec } from './deploymentSpec';
import type { ModulesContent } from './edgeContent';
import type { DeploymentKind } from './layered';
import type { DeploymentWarning } from './warnings';

export type RevisionCause =
  /** `requestId`: which POST made it (a hash of its Idempotency-Key and body), so a retry of that POST is recognised. */
  | { readonly kind: 'create'; readonly requestId?: string }
  | { readonly kind: 'update' }
  | { readonly kind: 'patch' }
  | { readonly kind: 'rollback'; readonly toRevision: number }
  | {
      readonly kind: 'registry';
      /** The webhook provider (acr, dockerhub, ghcr, harbor, cloudevents, generic) and its delivery id. */
      readonly provider: string;
      readonly deliveryId: string;
      /** Every module the push moved, old image -> new image. */
      readonly changes: readonly { readonly module: string; readonly previousImage: string; readonly image: string }[];
    };

export interface Revision {
  readonly number: number;
  readonly spec: DeploymentSpec;
  /** Canonical `content.modulesContent`, without registry secrets. */
  readonly content: ModulesContent;
  readonly targetCondition: string;
  readonly registryCredentials: readonly string[];
  /** Names of the registry credentials written in the manifest; their secrets are the deployment's (sealed), not the revision's. */
  readonly inlineCredentials?: readonly string[];
  /** Absent on revisions older than layered support: base. */
  readonly kind?: DeploymentKind;
  /** What the request was told when this revision was accepted; /status shows them too. */
  readonly warnings?: readonly DeploymentWarning[];
  readonly updatePolicies: Readonly<Record<string, UpdatePolicy>>;
  /** ISO 8601 UTC. */
  readonly createdAt: string;
  readonly cause: RevisionCause;
}

export function createRevision(args: {
  readonly number: number;
  readonly spec: DeploymentSpec;
  readonly normalized: NormalizedSpec;
  readonly createdAt: Date;
  readonly cause: RevisionCause;
}): Revision {
  const { normalized } = args;
  return {
    number: args.number,
    spec: args.spec,
    content: normalized.modulesContent,
    targetCondition: normalized.targetCondition.text,
    registryCredentials: normalized.registryCredentials,
    ...(Object.keys(normalized.inlineCredentials).length ? { inlineCredentials: Object.keys(normalized.inlineCredentials).sort() } : {}),
    ...(normalized.kind === 'layered' ? { kind: 'layered' as const } : {}),
    ...(normalized.warnings.length ? { warnings: normalized.warnings } : {}),
    updatePolicies: normalized.updatePolicies,
    createdAt: args.createdAt.toISOString(),
    cause: args.cause,
  };
}

export function nextRevisionNumber(revisions: readonly Pick<Revision, 'number'>[]): number {
  return revisions.reduce((max, r) => Math.max(max, r.number), 0) + 1;
}

/** A new revision with the old one's spec and content; not a re-normalisation, so it is exactly what ran before. */
export function rollbackRevision(target: Revision, number: number, createdAt: Date): Revision {
  return { ...target, number, createdAt: createdAt.toISOString(), cause: { kind: 'rollback', toRevision: target.number } };
}

/** Whether two revisions would produce the same IoT Hub configuration content (no new revision needed). */
export function sameContent(a: Pick<Revision, 'content' | 'registryCredentials' | 'inlineCredentials'>, b: Pick<Revision, 'content' | 'registryCredentials' | 'inlineCredentials'>): boolean {
  return (
    JSON.stringify(a.content) === JSON.stringify(b.content) &&
    a.registryCredentials.join('\n') === b.registryCredentials.join('\n') &&
    (a.inlineCredentials ?? []).join('\n') === (b.inlineCredentials ?? []).join('\n')
  );
}
