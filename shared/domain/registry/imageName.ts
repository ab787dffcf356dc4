// Image names as registries see them: `nginx` is docker.io/library/nginx,
// `user/app` is docker.io/user/app, a registry host keeps its port. Used to
// match a pushed image against the images deployments run.
import { isImageReferenceError, parseImageReference } from '../deployments/imageReference';

export interface ImageName {
  readonly registry: string;
  readonly repository: string;
  readonly tag?: string;
  readonly digest?: string;
}

const DOCKER_HUB = 'docker.io';
const DOCKER_HUB_ALIASES = new Set(['docker.io', 'index.docker.io', 'registry-1.docker.io']);

export function normalizeImage(ref: string): ImageName | { readonly error: string } {
  const parsed = parseImageReference(ref);
  if (isImageReferenceError(parsed)) return parsed;
  const registry = parsed.registry === undefined || DOCKER_HUB_ALIASES.has(parsed.registry.toLowerCase()) ? DOCKER_HUB : parsed.registry.toLowerCase();
  const repository = registry === DOCKER_HUB && !parsed.repository.includes('/') ? `library/${parsed.repository}` : parsed.repository;
  return { registry, repository, ...(parsed.tag !== undefined ? { tag: parsed.tag } : {}), ...(parsed.digest !== undefined ? { digest: parsed.digest } : {}) };
}

export const isImageNameError = (n: ImageName | { readonly error: string }): n is { readonly error: string } => 'error' in n;

export function sameRepository(a: ImageName, b: ImageName): boolean {
  return a.registry === b.registry && a.repository === b.repository;
}

/** The reference the user wrote, with another tag (and digest): keeps their registry prefix and short names. */
export function withTag(written: string, tag: string, digest?: string): string {
  const at = written.indexOf('@');
  const base = at >= 0 ? written.slice(0, at) : written;
  const lastSlash = base.lastIndexOf('/');
  const colon = base.lastIndexOf(':');
  const name = colon > lastSlash ? base.slice(0, colon) : base;
  return `${name}:${tag}${digest ? `@${digest}` : ''}`;
}
