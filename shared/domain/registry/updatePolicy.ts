// Whether a pushed image should replace a module's current image, by the
// module's update policy (Keel-style). Only the same repository ever matches;
// semver never downgrades and takes pre-releases only when asked; regular
// expressions are user input, so dangerous ones are refused.
import semver from 'semver';
import { type ImageName, isImageNameError, normalizeImage, sameRepository, withTag } from './imageName';
import { dangerousRegexp } from './safeRegexp';
import type { UpdatePolicy } from './updatePolicySchema';

export type UpdateDecision =
  | { readonly update: true; readonly newReference: string; readonly reason: string }
  | { readonly update: false; readonly reason: string };

const no = (reason: string): UpdateDecision => ({ update: false, reason });

/** A tag as semver, tolerating a leading `v` ("v1.2.3"); undefined when it is not a version. */
export function semverOf(tag: string | undefined): string | undefined {
  if (!tag) return undefined;
  return semver.valid(tag.replace(/^v(?=\d)/, '')) ?? undefined;
}

/** Tag globs: `*` any run of characters, `?` one character; everything else literal. */
export function globMatches(pattern: string, tag: string): boolean {
  const source = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${source}$`).test(tag);
}

function decideSemver(policy: Extract<UpdatePolicy, { type: 'semver' }>, current: ImageName, pushedTag: string): UpdateDecision {
  const from = semverOf(current.tag);
  const to = semverOf(pushedTag);
  if (!from) return no(`the current tag '${current.tag ?? '(none)'}' is not a semantic version`);
  if (!to) return no(`the pushed tag '${pushedTag}' is not a semantic version`);
  if (!semver.gt(to, from)) return no(semver.eq(to, from) ? 'same version' : `${pushedTag} would be a downgrade from ${current.tag}`);
  if (semver.prerelease(to) && !semver.prerelease(from) && !policy.allowPrerelease) return no(`${pushedTag} is a pre-release and the policy does not allow them`);
  if (policy.level === 'patch' && (semver.major(to) !== semver.major(from) || semver.minor(to) !== semver.minor(from))) return no(`${pushedTag} is more than a patch from ${current.tag}`);
  if (policy.level === 'minor' && semver.major(to) !== semver.major(from)) return no(`${pushedTag} is a new major version from ${current.tag}`);
  return { update: true, newReference: '', reason: `semver ${policy.level}: ${current.tag} -> ${pushedTag}` };
}

/**
 * `currentImage` is the module's image as written in the deployment; `pushed` is
 * the normalised reference the registry announced.
 */
export function decideUpdate(policy: UpdatePolicy | undefined, currentImage: string, pushed: ImageName): UpdateDecision {
  if (!policy) return no('the module has no update policy');
  const current = normalizeImage(currentImage);
  if (isImageNameError(current)) return no(`the current image ${current.error}`);
  if (!sameRepository(current, pushed)) return no('a different repository');

  if (policy.type === 'digest') {
    if (!pushed.digest) return no('the push carries no digest');
    if (pushed.tag !== (current.tag ?? 'latest')) return no(`the policy follows tag '${current.tag ?? 'latest'}' only`);
    if (pushed.digest === current.digest) return no('already pinned to this digest');
    return { update: true, newReference: withTag(currentImage, pushed.tag, pushed.digest), reason: `tag ${pushed.tag} re-pushed as ${pushed.digest}` };
  }

  if (!pushed.tag) return no('the push carries no tag');
  if (pushed.tag === current.tag) return no('same tag (use a digest policy to follow re-pushes)');
  let decision: UpdateDecision;
  switch (policy.type) {
    case 'semver':
      decision = decideSemver(policy, current, pushed.tag);
      break;
    case 'glob':
      decision = globMatches(policy.pattern, pushed.tag) ? { update: true, newReference: '', reason: `tag ${pushed.tag} matches ${policy.pattern}` } : no(`tag ${pushed.tag} does not match ${policy.pattern}`);
      break;
    case 'regexp': {
      const danger = dangerousRegexp(policy.pattern);
      if (danger) return no(`the policy's pattern ${danger}`);
      decision = new RegExp(`^(?:${policy.pattern})$`).test(pushed.tag) ? { update: true, newReference: '', reason: `tag ${pushed.tag} matches /${policy.pattern}/` } : no(`tag ${pushed.tag} does not match /${policy.pattern}/`);
      break;
    }
    case 'force':
      decision = { update: true, newReference: '', reason: `any new tag: ${pushed.tag}` };
      break;
  }
  return decision.update ? { ...decision, newReference: withTag(currentImage, pushed.tag) } : decision;
}
