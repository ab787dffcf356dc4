// Whether a pushed image should replace a module's current image, by the
// module's update policy (Keel-style). Only the same repository ever matches;
// semver compares versions only within one variant (tagVersion.ts), never
// downgrades and takes pre-releases only when asked; regular expressions are
// user input, so dangerous ones are refused.
import semver from 'semver';
import { type ImageName, isImageNameError, normalizeImage, sameRepository, withTag } from './imageName';
import { dangerousRegexp } from './safeRegexp';
import { describeVariant, parseTag, type TagVersion } from './tagVersion';
import type { UpdatePolicy } from './updatePolicySchema';

export type UpdateDecision =
  | { readonly update: true; readonly newReference: string; readonly reason: string }
  | { readonly update: false; readonly reason: string };

const no = (reason: string): UpdateDecision => ({ update: false, reason });

/** Tag globs: `*` any run of characters, `?` one character; everything else literal. */
export function globMatches(pattern: string, tag: string): boolean {
  const source = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${source}$`).test(tag);
}

/**
 * Why a pushed tag is another build than the current one (another variant), or
 * undefined when both are the same variant or either is no version at all.
 */
function otherVariant(from: TagVersion | undefined, to: TagVersion | undefined, pushedTag: string): string | undefined {
  if (!from || !to || from.variant === to.variant) return undefined;
  return `${pushedTag} is ${describeVariant(to.variant)}, the module runs ${describeVariant(from.variant)}`;
}

function decideSemver(policy: Extract<UpdatePolicy, { type: 'semver' }>, currentTag: string | undefined, pushedTag: string): UpdateDecision {
  const from = parseTag(currentTag);
  const to = parseTag(pushedTag);
  if (!from) return no(`the current tag '${currentTag ?? '(none)'}' is not a version`);
  if (!to) return no(`the pushed tag '${pushedTag}' is not a version`);
  const variant = otherVariant(from, to, pushedTag);
  if (variant) return no(variant);
  // A bare number is as often a build id or a floating major tag as a version (Flux issue fluxcd/flux#2729).
  if (to.numbers.length === 1 && from.numbers.length > 1) return no(`${pushedTag} is a single number; it is followed only from a single-number tag`);
  const order = semver.compare(to.semver, from.semver);
  if (order <= 0) return no(order === 0 ? 'same version' : `${pushedTag} would be a downgrade from ${currentTag}`);
  if (to.prerelease.length && !from.prerelease.length && !policy.allowPrerelease) return no(`${pushedTag} is a pre-release and the policy does not allow them`);
  if (policy.level === 'patch' && (semver.major(to.semver) !== semver.major(from.semver) || semver.minor(to.semver) !== semver.minor(from.semver))) return no(`${pushedTag} is more than a patch from ${currentTag}`);
  if (policy.level === 'minor' && semver.major(to.semver) !== semver.major(from.semver)) return no(`${pushedTag} is a new major version from ${currentTag}`);
  return { update: true, newReference: '', reason: `semver ${policy.level}: ${currentTag} -> ${pushedTag}` };
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
      decision = decideSemver(policy, current.tag, pushed.tag);
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
    case 'force': {
      // Any new tag, but not another architecture's build of a versioned tag.
      const variant = otherVariant(parseTag(current.tag), parseTag(pushed.tag), pushed.tag);
      decision = variant ? no(variant) : { update: true, newReference: '', reason: `any new tag: ${pushed.tag}` };
      break;
    }
  }
  return decision.update ? { ...decision, newReference: withTag(currentImage, pushed.tag) } : decision;
}
