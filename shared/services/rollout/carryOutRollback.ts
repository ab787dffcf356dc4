// What a rollingBack rollout asks for: a rollback revision (cause rollback,
// the previous revision's spec and content) committed for every hub the
// previous revision selects, so the whole fleet, across regions, runs it again.
// Then the hubs are synced at once rather than at the next pass.
import { selectHubs } from '../../domain/deployments/hubSelector';
import { rollbackRevision } from '../../domain/deployments/revision';
import { markRolledBack, markSuperseded, type RolloutState } from '../../domain/rollout/rolloutMachine';
import { isAppError } from '../../errors';
import type { ConfigurationFor } from '../deployments/configurationFor';
import type { DeploymentStore, RevisionRecord } from '../deployments/deploymentStore';
import { fanOut } from '../deployments/fanOut';
import type { HubFleet } from '../deployments/hubRuntime';

export interface CarryOutDeps {
  readonly store: DeploymentStore;
  readonly fleet: HubFleet;
  readonly configurationFor: ConfigurationFor;
  readonly now: () => Date;
  readonly maxRateWaitMs?: number;
}

export async function carryOutRollback(deps: CarryOutDeps, state: RolloutState): Promise<RolloutState> {
  if (state.phase !== 'rollingBack' || state.fromRevision === null) return state;
  const id = state.deploymentId;
  const target = await deps.store.getRevision(id, state.fromRevision);
  if (!target) return state;
  const chosen = selectHubs(target.spec.hubSelector, [...deps.fleet.hubs.values()]).map((h) => h.name);
  const hubs = chosen.length ? chosen : [...target.hubs];
  const revision: RevisionRecord = { ...rollbackRevision(target, state.revision + 1, deps.now()), deploymentId: id, hubs };
  try {
    await deps.store.addRevision(id, state.revision, { revision, hubs, labels: target.spec.labels });
  } catch (error) {
    // Someone committed another revision meanwhile: theirs wins, this rollout is over.
    if (!isAppError(error) || (error.status !== 412 && error.status !== 404)) throw error;
    const head = await deps.store.get(id);
    return markSuperseded(state, head?.currentRevision ?? state.revision, deps.now());
  }
  await fanOut(id, await deps.store.hubTargets(id), {
    store: deps.store,
    fleet: deps.fleet,
    configurationFor: deps.configurationFor,
    now: deps.now,
    ...(deps.maxRateWaitMs !== undefined ? { maxRateWaitMs: deps.maxRateWaitMs } : {}),
  });
  return markRolledBack(state, revision.number, deps.now());
}
