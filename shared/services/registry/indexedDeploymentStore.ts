// The deployment store with the repository index kept beside every revision
// write: the revision's followed repositories are recorded first, then the
// revision is committed. Every path that writes a revision (create, update,
// patch, rollback, registry push, the reconciler's rollback) goes through
// create or addRevision, so none can leave a committed revision unindexed.
import { followedRepositories } from '../../domain/registry/followedRepositories';
import type { DeploymentStore } from '../deployments/deploymentStore';
import type { RepositoryIndex } from './repositoryIndex';

export function indexedDeploymentStore(store: DeploymentStore, index: RepositoryIndex): DeploymentStore {
  return {
    ...store,
    async create(id, first) {
      await index.record(id, first.revision.number, followedRepositories(first.revision));
      return store.create(id, first);
    },
    async addRevision(id, expectedRevision, next) {
      await index.record(id, next.revision.number, followedRepositories(next.revision));
      return store.addRevision(id, expectedRevision, next);
    },
  };
}
