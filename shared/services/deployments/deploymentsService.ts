// The deployment use cases behind the HTTP API. Every change is recorded as
// desired state first (one transaction), then fanned out eagerly; what does
// not converge now is finished by the reconciler.
import type { ModulesContent } from '../../domain/deployments/edgeContent';
import type { HubSetting } from '../../config/settings';
import { canonicalStringify } from '../../domain/deployments/canonicalJson';
import { type DeploymentSpec, type NormalizedSpec } from '../../domain/deployments/deploymentSpec';
import { selectHubs, unknownHubNames } from '../../domain/deployments/hubSelector';
import { patchSpec } from '../../domain/deployments/mergePatch';
import { parseDeploymentRequest } from '../../domain/deployments/parseDeploymentRequest';
import type { Result } from '../../domain/deployments/result';
import { createRevision, type RevisionCause, rollbackRevision, sameContent } from '../../domain/deployments/revision';
import type { DeploymentWarning } from '../../domain/deployments/warnings';
import { AppError, badRequest, isAppError, notFound } from '../../errors';
import { endDeletedRollout } from '../rollout/endDeletedRollout';
import type { RolloutStore } from '../rollout/rolloutStore';
import { firstWave, recordRolloutStart, rolloutPlan } from '../rollout/startRollouts';
import type { ConfigurationFor } from './configurationFor';
import type { DeploymentStore, Page, RevisionRecord } from './deploymentStore';
import { type DeploymentView, deploymentView, type HubTargetView, hubTargetView, revisionETag, type RevisionView, revisionView } from './deploymentViews';
import { fanOut } from './fanOut';
import type { HubFleet } from './hubRuntime';
import { mergeSecrets, openSecrets, sameSecrets, sealSecrets, type SecretSealer } from './registrySecrets';

export interface DeploymentsDeps {
  readonly store: DeploymentStore;
  readonly fleet: HubFleet;
  readonly hubSettings: readonly HubSetting[];
  readonly configurationFor: ConfigurationFor;
  readonly registryCredentialNames: readonly string[];
  /** Where progressive rollouts are recorded; without it a spec's rollout starts at the next reconcile pass. */
  readonly rollouts?: RolloutStore;
  readonly now?: () => Date;
  /** The eager fan-out does not wait long for a hub's rate limit; the reconciler finishes instead. */
  readonly maxRateWaitMs?: number;
  /**
   * The request's deadline (HTTP_DEADLINE_MS from its start): hubs that have not
   * converged when it aborts are answered 202 and left to the reconciler. One
   * signal for the whole request, however many deployments it changes (a registry push).
   */
  readonly deadline?: AbortSignal;
  /** Seals inline registry credentials at rest; without it a manifest carrying them is refused. */
  readonly sealer?: SecretSealer;
}

export interface ChangeResult {
  readonly deployment: DeploymentView;
  readonly hubs: readonly HubTargetView[];
  /** Every hub is where it should be; otherwise the reconciler finishes the rest. */
  readonly converged: boolean;
  /** What was accepted but worth knowing (skipped documents, dropped fields, policies that cannot fire). */
  readonly warnings: readonly DeploymentWarning[];
  /** Only registry passwords changed: no new revision, the hubs get the new credentials. */
  readonly secretsRotated?: boolean;
}

const unwrap = <T>(result: Result<T>): T => {
  if (!result.ok) throw result.error;
  return result.value;
};

function chooseHubs(spec: DeploymentSpec, hubs: readonly HubSetting[]): string[] {
  const unknown = unknownHubNames(spec.hubSelector, hubs);
  if (unknown.length) {
    const names = spec.hubSelector.names ?? [];
    throw badRequest(
      `hubSelector names hubs that are not configured: ${unknown.join(', ')}`,
      unknown.map((n) => ({ pointer: `/hubSelector/names/${names.indexOf(n)}`, detail: `no hub named '${n}' (configured: ${hubs.map((h) => h.name).join(', ') || 'none'})` })),
      'UnknownHub',
    );
  }
  const selected = selectHubs(spec.hubSelector, hubs).map((h) => h.name);
  if (!selected.length) throw badRequest('hubSelector selects none of the configured hubs', [{ pointer: '/hubSelector', detail: 'matches no configured hub' }], 'NoHubSelected');
  return selected;
}

/** The deployment as it stands, if its first revision was made by the request `requestId`. */
async function createdBy(deps: DeploymentsDeps, id: string, requestId: string) {
  const first = await deps.store.getRevision(id, 1);
  if (first?.cause.kind !== 'create' || first.cause.requestId !== requestId) return undefined;
  return currentRevision(deps, id);
}

async function currentRevision(deps: DeploymentsDeps, id: string) {
  const head = await deps.store.get(id);
  if (!head || head.deletedAt) throw notFound(`deployment '${id}'`, 'DeploymentNotFound');
  const revision = await deps.store.getRevision(id, head.currentRevision);
  if (!revision) throw new AppError('RevisionMissing', 500, `revision ${head.currentRevision} of '${id}' is not stored`, { retryable: false });
  return { head, revision };
}

async function converge(deps: DeploymentsDeps, id: string, view: DeploymentView, warnings: readonly DeploymentWarning[] = []): Promise<ChangeResult> {
  // Desired state is stored already; the deadline only bounds how long this request waits for hubs.
  await fanOut(id, await deps.store.hubTargets(id), {
    store: deps.store,
    fleet: deps.fleet,
    configurationFor: deps.configurationFor,
    ...(deps.now ? { now: deps.now } : {}),
    maxRateWaitMs: deps.maxRateWaitMs ?? 10_000,
    ...(deps.deadline ? { signal: deps.deadline } : {}),
  });
  const hubs = (await deps.store.hubTargets(id)).map(hubTargetView).sort((a, b) => a.hub.localeCompare(b.hub));
  return { deployment: view, hubs, converged: hubs.every((h) => h.state === 'applied' || h.state === 'removed'), warnings };
}

/** The deployment's sealed secrets after this request, when they change (inline credentials only). */
async function nextSecrets(deps: DeploymentsDeps, id: string | undefined, normalized: NormalizedSpec): Promise<string | undefined> {
  const sent = normalized.inlineCredentials;
  if (!Object.keys(sent).length) return undefined;
  const stored = id === undefined ? {} : openSecrets(deps.sealer, await deps.store.secrets(id));
  const next = mergeSecrets(stored, sent);
  if (id !== undefined && sameSecrets(stored, next)) return undefined;
  return sealSecrets(deps.sealer, next, Object.values(sent).map((c) => c.pointer));
}

function revisionRecord(id: string, number: number, spec: DeploymentSpec, normalized: NormalizedSpec, cause: RevisionCause, hubs: string[], now: Date): RevisionRecord {
  return { ...createRevision({ number, spec, normalized, createdAt: now, cause }), deploymentId: id, hubs };
}

/**
 * `requestId` (from the Idempotency-Key): when this very request created the
 * deployment already (a first try whose answer was lost to a storage failure
 * or a timeout), the retry answers as the create did instead of 409.
 */
/** What a write through the Kubernetes surface records beside the revision: its managedFields (see deploymentStore.ts). */
export interface KubernetesMetadata {
  readonly managedFields?: readonly unknown[];
}

export async function createDeployment(deps: DeploymentsDeps, body: string, contentType: string | undefined, options: { requestId?: string } & KubernetesMetadata = {}): Promise<ChangeResult> {
  const now = (deps.now ?? (() => new Date()))();
  const parsed = unwrap(parseDeploymentRequest(body, contentType, { registryCredentialNames: deps.registryCredentialNames }));
  const hubs = chooseHubs(parsed.spec, deps.hubSettings);
  const secrets = await nextSecrets(deps, undefined, parsed.normalized);
  const revision = revisionRecord(parsed.id, 1, parsed.spec, parsed.normalized, { kind: 'create', ...(options.requestId ? { requestId: options.requestId } : {}) }, hubs, now);
  const plan = rolloutPlan(revision, selectHubs(parsed.spec.hubSelector, deps.hubSettings));
  let head;
  try {
    head = await deps.store.create(parsed.id, { revision, hubs, labels: parsed.spec.labels, ...firstWave(plan), ...(secrets ? { secrets } : {}), ...(options.managedFields ? { managedFields: options.managedFields } : {}) });
  } catch (error) {
    const mine = options.requestId && isAppError(error) && error.code === 'DeploymentExists' ? await createdBy(deps, parsed.id, options.requestId) : undefined;
    if (!mine) throw error;
    return converge(deps, parsed.id, deploymentView(mine.head, mine.revision), parsed.normalized.warnings);
  }
  if (plan && deps.rollouts) await recordRolloutStart(deps.rollouts, { deploymentId: parsed.id, revision: 1, revisionBefore: null, plan, now });
  return converge(deps, parsed.id, deploymentView(head, revision), parsed.normalized.warnings);
}

/** Appends a revision made from a spec (update, patch, registry push) and fans it out. */
export async function commitSpec(deps: DeploymentsDeps, id: string, expectedRevision: number, spec: DeploymentSpec, normalized: NormalizedSpec, cause: RevisionCause, metadata: KubernetesMetadata = {}): Promise<ChangeResult> {
  const now = (deps.now ?? (() => new Date()))();
  const hubs = chooseHubs(spec, deps.hubSettings);
  const secrets = await nextSecrets(deps, id, normalized);
  const revision = revisionRecord(id, expectedRevision + 1, spec, normalized, cause, hubs, now);
  // A progressive rollout: only the first wave's hubs get the revision now, the reconciler moves it on.
  const plan = rolloutPlan(revision, selectHubs(spec.hubSelector, deps.hubSettings));
  const head = await deps.store.addRevision(id, expectedRevision, { revision, hubs, labels: spec.labels, ...firstWave(plan), ...(secrets ? { secrets } : {}), ...(metadata.managedFields ? { managedFields: metadata.managedFields } : {}) });
  if (plan && deps.rollouts) await recordRolloutStart(deps.rollouts, { deploymentId: id, revision: revision.number, revisionBefore: expectedRevision, plan, now });
  return converge(deps, id, deploymentView(head, revision), normalized.warnings);
}

/**
 * An update that changes nothing but registry passwords rotates them in place:
 * no new revision (the content and spec, passwords redacted, are the same); the
 * sealed secrets are replaced and the hubs get the new credentials at this sync.
 */
async function changeSpec(deps: DeploymentsDeps, id: string, expectedRevision: number, current: RevisionRecord, spec: DeploymentSpec, normalized: NormalizedSpec, cause: RevisionCause, metadata: KubernetesMetadata = {}): Promise<ChangeResult> {
  const unchanged =
    canonicalStringify(current.spec) === canonicalStringify(spec) &&
    sameContent(current, { content: normalized.modulesContent, registryCredentials: normalized.registryCredentials, inlineCredentials: Object.keys(normalized.inlineCredentials).sort() });
  if (unchanged && current.number === expectedRevision) {
    const secrets = await nextSecrets(deps, id, normalized);
    if (secrets) {
      const head = await deps.store.replaceSecrets(id, expectedRevision, secrets, metadata);
      return { ...(await converge(deps, id, deploymentView(head, current), normalized.warnings)), secretsRotated: true };
    }
  }
  return commitSpec(deps, id, expectedRevision, spec, normalized, cause, metadata);
}

export async function replaceDeployment(deps: DeploymentsDeps, id: string, expectedRevision: number, body: string, contentType: string | undefined, metadata: KubernetesMetadata = {}): Promise<ChangeResult> {
  const { revision } = await currentRevision(deps, id); // 404 before 400s about the body
  const parsed = unwrap(parseDeploymentRequest(body, contentType, { registryCredentialNames: deps.registryCredentialNames }, { id }));
  return changeSpec(deps, id, expectedRevision, revision, parsed.spec, parsed.normalized, { kind: 'update' }, metadata);
}

export async function patchDeployment(deps: DeploymentsDeps, id: string, expectedRevision: number, patch: unknown): Promise<ChangeResult> {
  const { revision } = await currentRevision(deps, id);
  const patched = unwrap(patchSpec(id, revision.spec, patch, { registryCredentialNames: deps.registryCredentialNames }));
  return changeSpec(deps, id, expectedRevision, revision, patched.spec, patched.normalized, { kind: 'patch' });
}

export async function rollbackDeployment(deps: DeploymentsDeps, id: string, expectedRevision: number | undefined, toRevision: number): Promise<ChangeResult> {
  const now = (deps.now ?? (() => new Date()))();
  const { head } = await currentRevision(deps, id);
  const from = expectedRevision ?? head.currentRevision;
  const target = await deps.store.getRevision(id, toRevision);
  if (!target) throw badRequest(`deployment '${id}' has no revision ${toRevision}`, [{ pointer: '/revision', detail: `no such revision (current is ${head.currentRevision})` }], 'UnknownRevision');
  const hubs = chooseHubs(target.spec, deps.hubSettings);
  const revision: RevisionRecord = { ...rollbackRevision(target, from + 1, now), deploymentId: id, hubs };
  const updated = await deps.store.addRevision(id, from, { revision, hubs, labels: target.spec.labels });
  return converge(deps, id, deploymentView(updated, revision), revision.warnings ?? []);
}

export async function deleteDeployment(deps: DeploymentsDeps, id: string, expectedRevision: number | undefined): Promise<ChangeResult> {
  const now = (deps.now ?? (() => new Date()))();
  const { revision } = await currentRevision(deps, id);
  const head = await deps.store.markDeleted(id, expectedRevision, now.toISOString());
  // The deployment is deleted whatever happens here: a rollout this cannot end, the reconciler's next pass ends.
  if (deps.rollouts) await endDeletedRollout(deps.rollouts, id, now).catch(() => false);
  return converge(deps, id, deploymentView(head, revision));
}

export async function getDeployment(deps: DeploymentsDeps, id: string): Promise<{ deployment: DeploymentView; hubs: HubTargetView[] }> {
  const { head, revision } = await currentRevision(deps, id);
  return { deployment: deploymentView(head, revision), hubs: (await deps.store.hubTargets(id)).map(hubTargetView) };
}

/** The deployment with its Kubernetes metadata, which the REST view leaves out. */
export async function getKubernetesDeployment(deps: DeploymentsDeps, id: string): Promise<{ deployment: DeploymentView; managedFields: readonly unknown[]; content: ModulesContent }> {
  const { head, revision } = await currentRevision(deps, id);
  return { deployment: deploymentView(head, revision), managedFields: head.managedFields ?? [], content: revision.content };
}

/** A Kubernetes write that changed only field ownership: no revision, the head's managedFields replaced (412 if it moved on). */
export async function replaceManagedFields(deps: DeploymentsDeps, id: string, expectedRevision: number, managedFields: readonly unknown[]): Promise<void> {
  await deps.store.replaceManagedFields(id, expectedRevision, managedFields);
}

export interface DeploymentSummary {
  readonly id: string;
  readonly revision: number;
  readonly etag: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export async function listDeployments(deps: DeploymentsDeps, options: { pageSize: number; continuationToken?: string; labels?: Record<string, string> }): Promise<Page<DeploymentSummary>> {
  const page = await deps.store.list(options);
  return {
    items: page.items.map((h) => ({ id: h.id, revision: h.currentRevision, etag: revisionETag(h.currentRevision), labels: h.labels, createdAt: h.createdAt, updatedAt: h.updatedAt })),
    ...(page.continuationToken ? { continuationToken: page.continuationToken } : {}),
  };
}

export async function listRevisions(deps: DeploymentsDeps, id: string, options: { pageSize: number; continuationToken?: string }): Promise<Page<RevisionView>> {
  await currentRevision(deps, id);
  const page = await deps.store.listRevisions(id, options);
  return { items: page.items.map(revisionView), ...(page.continuationToken ? { continuationToken: page.continuationToken } : {}) };
}
