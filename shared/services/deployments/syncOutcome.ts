// What the fan-out and the reconciler record after syncing a hub, and the
// per-pass memo of stored revisions they both read from.
import type { HubSyncResult } from '../hubs/syncHub';
import type { DeploymentStore, HubTarget, RevisionRecord, SyncOutcome } from './deploymentStore';
import { type BackoffOptions, defaultBackoff, nextAttemptAt } from './nextAttempt';

/**
 * A target that did not converge gets its error and the time to try again
 * (backoff grows with its attempts). One the caller stopped waiting for
 * (DeadlineExceeded: an HTTP request answered 202 at HTTP_DEADLINE_MS) is due
 * at once: the hub did not fail, the request only ran out of time, and "202,
 * finished by the reconciler" means the next pass, not one 15-30 s of backoff later.
 */
export function syncOutcome(result: HubSyncResult, target: Pick<HubTarget, 'attempts'>, at: Date, backoff: BackoffOptions = defaultBackoff): SyncOutcome {
  if (result.state !== 'pending' && result.state !== 'failed') return { state: result.state, at: at.toISOString() };
  const retryAt = result.error.code === 'DeadlineExceeded' ? at.toISOString() : nextAttemptAt(at, target.attempts + 1, backoff);
  return { state: result.state, at: at.toISOString(), error: result.error, nextAttemptAt: retryAt };
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
