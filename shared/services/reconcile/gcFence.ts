// The garbage-collection fence: orphan deletion ("this installation's
// configuration whose deployment is not in the desired state") is the one
// step that acts on the *absence* of data, so it is the one that turns lost
// desired state (a deleted or recreated table, a wrong storage account) into
// a fleet wipe. The fence stops it when the desired state looks lost:
// - DesiredStateLost: the desired state holds no deployment at all (not even
//   a deleted one awaiting purge) while hubs hold this installation's
//   configurations; deployments are purged only after their configurations
//   are gone, so an honest empty table never meets them;
// - TooManyDeletions: one pass would delete more than GC_MAX_DELETE_PERCENT of
//   a hub's configurations of this installation.
// A fenced hub deletes nothing as an orphan; explicit instructions in the
// desired state (a deleted deployment, a superseded revision) still apply.
import { configurationOwner, deploymentOf } from '../../domain/deployments/configurationOwner';
import type { HubConfiguration } from '../hubs/hubConfigurations';

export interface GcFence {
  readonly reason: 'DesiredStateLost' | 'TooManyDeletions';
  readonly message: string;
  /** Orphans garbage collection would have deleted on this hub. */
  readonly wouldDelete: number;
  /** This installation's configurations on the hub. */
  readonly managed: number;
}

export interface FenceInput {
  readonly snapshots: ReadonlyMap<string, { ok: true; configs: readonly HubConfiguration[] } | { ok: false }>;
  /** Deployment ids in the desired state (deleted ones included). */
  readonly known: ReadonlySet<string>;
  readonly headCount: number;
  readonly installationId: string;
  readonly maxDeletePercent: number;
}

/** The hubs whose garbage collection is fenced this pass, and why. */
export function gcFences(input: FenceInput): Map<string, GcFence> {
  const counts = new Map<string, { managed: number; orphans: number }>();
  for (const [hub, snapshot] of input.snapshots) {
    if (!snapshot.ok) continue;
    const mine = snapshot.configs.filter((c) => configurationOwner(c.labels, input.installationId) === 'mine');
    counts.set(hub, { managed: mine.length, orphans: mine.filter((c) => !input.known.has(deploymentOf(c.labels))).length });
  }
  const fences = new Map<string, GcFence>();
  const managedAnywhere = [...counts.values()].reduce((n, c) => n + c.managed, 0);
  if (input.headCount === 0 && managedAnywhere > 0) {
    for (const [hub, c] of counts) {
      if (!c.orphans) continue;
      fences.set(hub, {
        reason: 'DesiredStateLost',
        message: `the desired state holds no deployment while the hubs hold ${managedAnywhere} configuration(s) of installation '${input.installationId}': the deployments table looks deleted, recreated or from another storage account, so nothing is deleted`,
        wouldDelete: c.orphans,
        managed: c.managed,
      });
    }
    return fences;
  }
  for (const [hub, c] of counts) {
    if (c.orphans * 100 <= c.managed * input.maxDeletePercent) continue;
    fences.set(hub, {
      reason: 'TooManyDeletions',
      message: `garbage collection would delete ${c.orphans} of the ${c.managed} configuration(s) of installation '${input.installationId}' on this hub (more than GC_MAX_DELETE_PERCENT=${input.maxDeletePercent}%), so nothing is deleted`,
      wouldDelete: c.orphans,
      managed: c.managed,
    });
  }
  return fences;
}
