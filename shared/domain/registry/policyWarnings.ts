// Update policies that can never match the module's own current tag, found at
// create/update time so the user hears it then, not on the first silent push.
import type { DeploymentWarning } from '../deployments/warnings';
import { isImageNameError, normalizeImage } from './imageName';
import { dangerousRegexp } from './safeRegexp';
import { parseTag } from './tagVersion';
import { globMatches } from './updatePolicy';
import { type UpdatePolicy, updatePolicySchema } from './updatePolicySchema';

/** One module as the policy check needs it: where it sits in the request, its image, its policy. */
export interface PolicyModule {
  readonly pointer: string;
  readonly image: string;
  readonly policy: unknown;
}

export const POLICY_CANNOT_MATCH = 'UpdatePolicyCannotMatch';

/** Why the policy can never take a push from where the module is now, or undefined when it can. */
function cannotMatch(policy: UpdatePolicy, tag: string | undefined): string | undefined {
  const shown = tag ?? 'latest';
  switch (policy.type) {
    case 'semver':
      if (parseTag(tag)) return undefined;
      return tag === undefined
        ? 'the image names no tag (it runs latest), which is not a version: a semver policy never moves it'
        : `the tag '${tag}' is not a version, so a semver policy never moves it (give the image a version tag such as 1.5 or 1.5.1-amd64)`;
    case 'glob':
      return globMatches(policy.pattern, shown) ? undefined : `the pattern '${policy.pattern}' does not match the module's own tag '${shown}' (pushed tags are judged by the pattern alone): check it is the pattern you mean`;
    case 'regexp':
      if (dangerousRegexp(policy.pattern)) return undefined; // refused by validation already
      return new RegExp(`^(?:${policy.pattern})$`).test(shown) ? undefined : `the pattern /${policy.pattern}/ does not match the module's own tag '${shown}' (pushed tags are judged by the pattern alone): check it is the pattern you mean`;
    case 'digest':
    case 'force':
      return undefined;
  }
}

/**
 * Warnings for policies that cannot match their own current tag. Policies or
 * images that do not validate are left to the intake's own errors.
 */
export function updatePolicyWarnings(modules: readonly PolicyModule[]): DeploymentWarning[] {
  const warnings: DeploymentWarning[] = [];
  for (const module of modules) {
    if (module.policy === undefined) continue;
    const policy = updatePolicySchema.safeParse(module.policy);
    const image = normalizeImage(module.image);
    if (!policy.success || isImageNameError(image)) continue;
    const why = cannotMatch(policy.data, image.tag);
    if (why) warnings.push({ code: POLICY_CANNOT_MATCH, pointer: module.pointer, detail: why });
  }
  return warnings;
}
