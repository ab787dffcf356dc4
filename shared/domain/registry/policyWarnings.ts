// Update policies that can never match the module's own current tag, found at
// create/update time so the user hears it then, not on the first silent push.
import type { DeploymentWarning } from '../deployments/warnings';

/** One module as the policy check needs it: where it sits in the request, its image, its policy. */
export interface PolicyModule {
  readonly pointer: string;
  readonly image: string;
  readonly policy: unknown;
}

/** Warnings for policies that cannot match their own current tag (filled in with the update-policy work). */
export function updatePolicyWarnings(modules: readonly PolicyModule[]): DeploymentWarning[] {
  void modules;
  return [];
}
