// A registry push becomes new revisions: every live deployment that follows a
// pushed repository (pushCandidates.ts) is judged against the pushes
// (level-triggered: the current revision is read now, so a redelivery after a
// partial failure changes only what is left),
// then each changed deployment gets one revision through the same commit path
// as PUT and PATCH. A concurrent change to a deployment (412) is re-read and
// re-planned a few times before the delivery is given back to the registry.
import { normalizeSpec } from '../../domain/deployments/deploymentSpec';
import { withModuleImage } from '../../domain/deployments/moduleImage';
import type { RevisionCause } from '../../domain/deployments/revision';
import { planImageUpdates, type PlannedChange, type Skipped } from '../../domain/registry/planImageUpdates';
import { type Provider, pushedImage, type PushEvent } from '../../domain/registry/pushEvent';
import { AppError, isAppError } from '../../errors';
import type { DeploymentStore } from '../deployments/deploymentStore';
import { type ChangeResult, commitSpec, type DeploymentsDeps } from '../deployments/deploymentsService';
import { currentOf, type PushCandidate, pushCandidates } from './pushCandidates';
import type { PushReport } from './pushReport';
import type { RepositoryIndex } from './repositoryIndex';

export interface PushDelivery {
  readonly provider: Provider;
  readonly deliveryId: string;
  readonly pushes: readonly PushEvent[];
}

/** The deployment use cases' dependencies, and the index that finds the deployments a push moves (without it: a full scan). */
export type PushDeps = DeploymentsDeps & { readonly repositoryIndex?: RepositoryIndex };

export interface ApplyPushOptions {
  /** Plan only: nothing is written. */
  readonly dryRun: boolean;
  /** Commits tried per deployment when others change it meanwhile. */
  readonly maxAttempts?: number;
  readonly onRevision?: (deploymentId: string, revision: number, changes: readonly PlannedChange[]) => void;
}

async function reread(store: DeploymentStore, id: string): Promise<PushCandidate | undefined> {
  const { revision } = await currentOf(store, id);
  return revision ? { deploymentId: id, revision } : undefined;
}

function commitChanges(deps: DeploymentsDeps, delivery: PushDelivery, candidate: PushCandidate, changes: readonly PlannedChange[]): Promise<ChangeResult> {
  let spec = candidate.revision.spec;
  for (const change of changes) {
    const moved = withModuleImage(spec, change.module, change.to);
    if (!moved.ok) throw moved.error;
    spec = moved.value;
  }
  const normalized = normalizeSpec(spec, { registryCredentialNames: deps.registryCredentialNames });
  if (!normalized.ok) throw normalized.error;
  const cause: RevisionCause = {
    kind: 'registry',
    provider: delivery.provider,
    deliveryId: delivery.deliveryId,
    changes: changes.map((c) => ({ module: c.module, previousImage: c.from, image: c.to })),
  };
  return commitSpec(deps, candidate.deploymentId, candidate.revision.number, spec, normalized.value, cause);
}

const isConflict = (error: unknown) => isAppError(error) && error.status === 412;
/** Bad input or config for this one deployment: report it and go on with the others. */
const isTerminal = (error: unknown): error is AppError => isAppError(error) && error.status < 500 && !error.retryable && error.status !== 412;

export async function applyPushes(deps: PushDeps, delivery: PushDelivery, options: ApplyPushOptions): Promise<PushReport> {
  const images = delivery.pushes.map(pushedImage);
  const now = (deps.now ?? (() => new Date()))();
  const found = await pushCandidates(deps.store, deps.repositoryIndex, delivery.pushes.map((p) => p.repository), { dryRun: options.dryRun, now });
  const plan = planImageUpdates(found, images);
  const report: PushReport = {
    provider: delivery.provider,
    deliveryId: delivery.deliveryId,
    dryRun: options.dryRun,
    pushes: delivery.pushes.map((p) => ({ repository: p.repository, tag: p.tag, ...(p.digest ? { digest: p.digest } : {}) })),
    changes: options.dryRun ? plan.changes : [],
    skipped: plan.skipped,
    revisions: [],
    failed: [],
  };
  if (options.dryRun) return report;

  const byDeployment = new Map<string, PlannedChange[]>();
  for (const change of plan.changes) byDeployment.set(change.deploymentId, [...(byDeployment.get(change.deploymentId) ?? []), change]);
  const maxAttempts = options.maxAttempts ?? 3;

  for (const [deploymentId, planned] of byDeployment) {
    let candidate = found.find((c) => c.deploymentId === deploymentId);
    let changes: readonly PlannedChange[] = planned;
    let skipped: readonly Skipped[] = [];
    for (let attempt = 1; ; attempt++) {
      if (attempt > 1) {
        // Someone else changed it since it was read: judge the pushes against what it is now.
        candidate = await reread(deps.store, deploymentId);
        if (candidate) ({ changes, skipped } = planImageUpdates([candidate], images));
      }
      if (!candidate) {
        report.failed.push({ deploymentId, code: 'DeploymentNotFound', message: `deployment '${deploymentId}' was deleted` });
        break;
      }
      if (!changes.length) {
        report.skipped.push(...skipped);
        break;
      }
      try {
        const result = await commitChanges(deps, delivery, candidate, changes);
        report.changes.push(...changes);
        report.revisions.push({ deploymentId, revision: result.deployment.revision, converged: result.converged });
        options.onRevision?.(deploymentId, result.deployment.revision, changes);
        break;
      } catch (error) {
        if (isConflict(error) && attempt < maxAttempts) continue;
        if (isConflict(error)) {
          throw new AppError('DeploymentBusy', 503, `deployment '${deploymentId}' kept changing while the push was applied; retry the delivery`, { retryAfterSeconds: 5 });
        }
        if (!isTerminal(error)) throw error;
        report.failed.push({ deploymentId, code: error.code, message: error.message });
        break;
      }
    }
  }
  return report;
}
