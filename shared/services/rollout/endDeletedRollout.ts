// A deleted deployment's rollout ends (`cancelled`, reason DeploymentDeleted)
// and is never advanced again. The delete request ends it at once; the
// reconciler, which sees every deleted deployment until it is purged, ends it
// if the request could not (level-triggered, like everything it does).
import { isActive, markDeploymentDeleted } from '../../domain/rollout/rolloutMachine';
import type { RolloutStore } from './rolloutStore';

/** A person's command or a pass may write in between; after this many lost races the next pass tries again. */
const ATTEMPTS = 3;

/** Returns true when this call ended the rollout; false when there was none to end (or others kept winning). */
export async function endDeletedRollout(rollouts: RolloutStore, deploymentId: string, now: Date): Promise<boolean> {
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const stored = await rollouts.get(deploymentId);
    if (!stored || !isActive(stored.state.phase)) return false;
    if (await rollouts.put(markDeploymentDeleted(stored.state, now), stored.etag)) return true;
  }
  return false;
}
