// A failure on the Kubernetes surface carries the `Status` to answer with;
// AppErrors from the shared deployment code are turned into one here.
import { isAppError } from '../../errors';
import { failure, type KubernetesStatus, statusFromAppError, type Target } from '../../domain/kubernetes/status';

export class KubeError extends Error {
  constructor(readonly status: KubernetesStatus) {
    super(status.message);
    this.name = 'KubeError';
  }
}

export const kubeFail = (code: number, message: string, target: Target = {}) => new KubeError(failure(code, message, target));

/** Runs `work`; AppErrors become the matching Status for `target`; anything else is rethrown (a 500 that leaks nothing). */
export async function asKubernetes<T>(target: Target, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof KubeError) throw error;
    if (isAppError(error) && error.status < 500) {
      if (error.code === 'DeploymentExists') throw new KubeError(failure(409, `${target.kind}.${target.group} "${target.name}" already exists`, target, [], 'AlreadyExists'));
      if (error.status === 412 || error.code === 'RevisionConflict') {
        throw new KubeError(failure(409, `Operation cannot be fulfilled on ${target.kind}.${target.group} "${target.name}": the object has been modified; please apply your changes to the latest version and try again`, target, [], 'Conflict'));
      }
      if (error.status === 404) throw new KubeError(failure(404, `${target.kind}.${target.group} "${target.name}" not found`, target));
      throw new KubeError(statusFromAppError(error, target));
    }
    throw error;
  }
}
