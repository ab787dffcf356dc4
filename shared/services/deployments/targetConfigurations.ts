// What one hub target asks its hub to hold: the desired revision's configuration
// (narrowed to a rollout wave's devices when the target says so) and, while
// narrowed, the configuration the hub's other devices keep. The fan-out and the
// reconciler both sync through this, so they can never disagree.
import { parseTargetCondition } from '../../domain/deployments/targetCondition';
import type { ConfigurationSpec } from '../hubs/hubConfigurations';
import type { SyncError } from '../hubs/syncHub';
import type { ConfigurationFor } from './configurationFor';
import type { HubTarget, RevisionRecord } from './deploymentStore';

export type TargetConfigurations =
  | { readonly ok: true; readonly desired: ConfigurationSpec | undefined; readonly keep: readonly ConfigurationSpec[] }
  /** The desired revision is not stored (a purge raced the pass). */
  | { readonly ok: false; readonly missing: true; readonly error: SyncError }
  /** The revision cannot be made into a configuration (e.g. a registry credential left the settings). */
  | { readonly ok: false; readonly missing: false; readonly error: SyncError };

export async function targetConfigurations(
  target: HubTarget,
  revision: (deploymentId: string, number: number) => Promise<RevisionRecord | undefined>,
  configurationFor: ConfigurationFor,
): Promise<TargetConfigurations> {
  if (target.desiredRevision === null) return { ok: true, desired: undefined, keep: [] };
  const stored = await revision(target.deploymentId, target.desiredRevision);
  if (!stored) return { ok: false, missing: true, error: { code: 'RevisionMissing', message: `revision ${target.desiredRevision} is not stored` } };

  let narrowTo;
  if (target.narrowTo) {
    // Written by the rollout from a wave's deviceSelector, so it parses; a hand-edited row fails loudly here.
    const parsed = parseTargetCondition(target.narrowTo);
    if (!parsed.ok) return { ok: false, missing: false, error: { code: parsed.error.code, message: `narrowing '${target.narrowTo}': ${parsed.error.message}` } };
    narrowTo = parsed.value;
  }
  const desired = await configurationFor(stored, narrowTo);
  if (!desired.ok) return { ok: false, missing: false, error: { code: desired.error.code, message: desired.error.message } };

  const keep: ConfigurationSpec[] = [];
  if (narrowTo && target.alongsideRevision !== undefined) {
    // A kept revision that is gone (purged long ago) leaves those devices on nothing new: nothing to keep.
    const alongside = await revision(target.deploymentId, target.alongsideRevision);
    const built = alongside ? await configurationFor(alongside) : undefined;
    if (built && !built.ok) return { ok: false, missing: false, error: { code: built.error.code, message: built.error.message } };
    if (built) keep.push(built.value);
  }
  return { ok: true, desired: desired.value, keep };
}
