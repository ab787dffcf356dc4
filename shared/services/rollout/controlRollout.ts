// A person's hand on a rollout: pause, resume, abort (roll back now) and
// promote (end the soak). The command is recorded with the rollout's ETag, so
// it never overwrites what a reconcile pass wrote meanwhile (409: try again).
import { commandRollout, type RolloutCommand } from '../../domain/rollout/rolloutMachine';
import { AppError, conflict, notFound } from '../../errors';
import { type CarryOutDeps, carryOutRollback } from './carryOutRollback';
import type { RolloutStore } from './rolloutStore';
import { type RolloutView, rolloutView } from './rolloutView';

export interface ControlDeps extends CarryOutDeps {
  readonly rollouts: RolloutStore;
}

const changedMeanwhile = () => new AppError('RolloutChanged', 409, 'the rollout changed while the command was recorded; read its status and try again', { retryable: false });

export async function controlRollout(deps: ControlDeps, id: string, command: RolloutCommand): Promise<RolloutView> {
  const head = await deps.store.get(id);
  if (!head || head.deletedAt) throw notFound(`deployment '${id}'`, 'DeploymentNotFound');
  const stored = await deps.rollouts.get(id);
  if (!stored) throw notFound(`a rollout of deployment '${id}'`, 'RolloutNotFound');
  if (stored.state.revision !== head.currentRevision) {
    throw conflict(`revision ${head.currentRevision} is not rolling out (the latest rollout was of revision ${stored.state.revision}, ${stored.state.phase})`, 'RolloutStateConflict');
  }
  const next = commandRollout(stored.state, command, deps.now());
  if (!next.ok) throw next.error;
  if (!(await deps.rollouts.put(next.value, stored.etag))) throw changedMeanwhile();
  if (next.value.phase !== 'rollingBack') return rolloutView(next.value);
  // An abort rolls back at once; if this fails, the next reconcile pass finishes it from the stored state.
  const rolled = await carryOutRollback(deps, next.value);
  const written = await deps.rollouts.get(id);
  if (written && rolled !== next.value) await deps.rollouts.put(rolled, written.etag);
  return rolloutView(rolled);
}
