// The repositories a revision follows: those of its modules that have an update
// policy, normalised as pushes name them (`docker.io/library/nginx`). What the
// repository index is keyed by, and what a push is matched against.
import { moduleImages } from '../deployments/moduleImage';
import type { Revision } from '../deployments/revision';
import { isImageNameError, normalizeImage } from './imageName';

export function followedRepositories(revision: Pick<Revision, 'content' | 'updatePolicies'>): string[] {
  const images = moduleImages(revision.content);
  const repositories = new Set<string>();
  for (const module of Object.keys(revision.updatePolicies)) {
    const name = normalizeImage(images[module] ?? '');
    if (!isImageNameError(name)) repositories.add(`${name.registry}/${name.repository}`);
  }
  return [...repositories].sort();
}
