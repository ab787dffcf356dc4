// What the fan-out and the reconciler record after syncing a hub, and the
// per-pass memo of stored revisions they both read from.
import type { HubSyncResult } from '../hubs/syncHub';
import type { DeploymentStore, HubTarget, RevisionRecord, SyncOutcome } from './deploymentStore';
import { type BackoffOptions, defaultBackoff, nextAttemptAt } from './nextAttempt';

/** A target that did not converge gets its error and the time to try again (backoff grows with its attempts). */
export function syncOutcome(result: HubSyncResult, target: Pick<HubTarget, 'attempts'>, at: Date, backoff: BackoffOptions = defaultBackoff): SyncOutcome {
  return {
    state: result.state,
    at: at.toISOString(),
    ...(result.state === 'pending' || result.state === 'failed' ? { error: result.error, nextAttemptAt: nextAttemptAt(at, target.attempts + 1, backoff) } : {}),
  };
}

/** Reads each (deployment, revision) once per pass, however many hubs need it. */
export function revisionMemo(store: Pick<DeploymentStore, 'getRevision'>): (deploymentId: string, revision: number) => Promise<RevisionRecord | undefined> {
  const cache = new Map<string, Promise<RevisionRecord | undefined>>();
  return (deploymentId, revision) => {
    const key = `${deploymentId}#${revision}`;
    let found = cache.get(key);
    if (!found) cache.set(key, (found = store.getRevision(deploymentId, revision)));
    return found;
  };
}
