// "Make hub H match revision R": the one idempotent operation behind the
// HTTP fan-out and the reconciler (STYLE habit 8). It re-reads the hub every
// time (level-triggered): create what is missing, update what drifted,
// delete what this deployment no longer wants — never anything the app did
// not create.
import { AppError, isAppError } from '../../errors';
import { DEPLOYMENT_LABEL, MANAGED_BY_LABEL, MANAGED_BY_VALUE } from '../../domain/deployments/configurationId';
import { canonicalStringify as canonicalJson } from '../../domain/deployments/canonicalJson';
import { withoutRegistryCredentials } from '../../domain/deployments/inlineCredentials';
import type { ConfigurationSpec, HubConfiguration, HubConfigurations } from './hubConfigurations';
import { type RateLimiter, RateLimitWaitTooLong } from './rateLimiter';
import { hubCall } from './hubCall';
import { isRetryable, type RetryOptions } from './retry';

export interface SyncAction {
  readonly op: 'create' | 'update' | 'delete';
  readonly configurationId: string;
  readonly reason: string;
}

export type HubSyncResult =
  | { readonly state: 'applied'; readonly configurationId: string; readonly actions: readonly SyncAction[] }
  | { readonly state: 'removed'; readonly actions: readonly SyncAction[] }
  /** Transient: the hub was down, slow or throttled; try again later. */
  | { readonly state: 'pending'; readonly error: SyncError; readonly actions: readonly SyncAction[] }
  /** Terminal: retrying will not help until something changes (content conflict, hub full). */
  | { readonly state: 'failed'; readonly error: SyncError; readonly actions: readonly SyncAction[] };

export interface SyncError {
  readonly code: string;
  readonly message: string;
}

export interface HubSyncDeps {
  readonly configurations: HubConfigurations;
  readonly limiter: RateLimiter;
  /** Configurations the hub can hold (100 on standard tiers). */
  readonly maxConfigurations: number;
  readonly retry?: RetryOptions;
  /** Longest the rate limiter may delay one operation before the sync gives up as pending. */
  readonly maxRateWaitMs?: number;
}

const isManagedBy = (c: HubConfiguration, deploymentId: string) =>
  c.labels[MANAGED_BY_LABEL] === MANAGED_BY_VALUE && c.labels[DEPLOYMENT_LABEL] === deploymentId;

const drifted = (have: HubConfiguration, want: ConfigurationSpec): string | undefined => {
  if (have.targetCondition !== want.targetCondition) return 'target condition drifted';
  if (have.priority !== want.priority) return 'priority drifted';
  if (canonicalJson(have.labels) !== canonicalJson(want.labels)) return 'labels drifted';
  if (canonicalJson(have.metrics?.queries ?? {}) !== canonicalJson(want.metrics?.queries ?? {})) return 'metrics drifted';
  return undefined;
};

const sameContent = (a: HubConfiguration, b: ConfigurationSpec) =>
  canonicalJson(a.content.modulesContent) === canonicalJson(b.content.modulesContent);

/** Only registry credentials differ: a rotated password (settings or the deployment's secrets), not someone else's content. */
const onlyCredentialsDiffer = (a: HubConfiguration, b: ConfigurationSpec) =>
  canonicalJson(withoutRegistryCredentials(a.content.modulesContent)) === canonicalJson(withoutRegistryCredentials(b.content.modulesContent));
const ROTATED = 'registry credentials rotated: content is immutable, so the configuration is made again';

/**
 * `keep`: other configurations of the deployment the hub must hold too (while a
 * rollout wave narrows `desired` to some devices, the rest keep the previous
 * revision's). They are ensured like `desired`, but `desired` must stay the
 * newest: on equal priority IoT Hub gives a device the most recently created.
 *
 * `snapshot`: the hub's configurations as the caller just listed them. The
 * reconciler lists each hub once per pass and syncs every deployment from that
 * list (configuration reads count against the same 20/min/unit as writes).
 */
export async function syncHub(
  deploymentId: string,
  desired: ConfigurationSpec | undefined,
  deps: HubSyncDeps,
  snapshot?: readonly HubConfiguration[],
  keep: readonly ConfigurationSpec[] = [],
): Promise<HubSyncResult> {
  const actions: SyncAction[] = [];
  const call = <T>(operation: () => Promise<T>) =>
    hubCall(deps.limiter, operation, { ...(deps.retry ? { retry: deps.retry } : {}), ...(deps.maxRateWaitMs !== undefined ? { maxRateWaitMs: deps.maxRateWaitMs } : {}) });

  try {
    const existing = snapshot ? [...snapshot] : await call(() => deps.configurations.list());
    const mine = existing.filter((c) => isManagedBy(c, deploymentId));

    if (!desired) {
      for (const c of mine) {
        await call(() => deps.configurations.delete(c.id));
        actions.push({ op: 'delete', configurationId: c.id, reason: 'deployment removed from this hub' });
      }
      return { state: 'removed', actions };
    }

    const kept = new Set(keep.map((k) => k.id));
    const superseded = mine.filter((c) => c.id !== desired.id && !kept.has(c.id));
    let count = existing.length;
    /** Deleting superseded configurations waits until the new ones exist, except when the hub is full: then they make the room. */
    const makeRoom = async () => {
      while (count >= deps.maxConfigurations && superseded.length) {
        const victim = superseded.shift()!;
        await call(() => deps.configurations.delete(victim.id));
        actions.push({ op: 'delete', configurationId: victim.id, reason: 'superseded; made room under the hub configuration limit' });
        count--;
      }
      if (count >= deps.maxConfigurations) {
        throw new AppError('HubConfigurationLimitReached', 409, `the hub already holds ${count} configurations (limit ${deps.maxConfigurations}); delete unused deployments to make room`, { retryable: false });
      }
    };

    /** Makes `spec` be on the hub: created when missing (room made first), else its drift updated; true when created. */
    const ensure = async (spec: ConfigurationSpec, have: HubConfiguration | undefined, missing: string) => {
      if (have) {
        const reason = drifted(have, spec);
        if (reason) {
          await call(() => deps.configurations.update(spec, have.etag));
          actions.push({ op: 'update', configurationId: spec.id, reason });
        }
        return false;
      }
      await makeRoom();
      await createOrAccept(spec, deps.configurations, call);
      actions.push({ op: 'create', configurationId: spec.id, reason: missing });
      count++;
      return true;
    };

    // What the hub's other devices keep comes first: if it has to be made again, the desired one is made after it.
    let keptRemade = false;
    for (const k of keep) {
      if (await ensure(k, existing.find((c) => c.id === k.id), 'missing on the hub (kept for the devices outside the rollout wave)')) keptRemade = true;
    }

    let current = existing.find((c) => c.id === desired.id);
    if (current && !sameContent(current, desired)) {
      if (!onlyCredentialsDiffer(current, desired)) {
        return failed('ContentConflict', `configuration ${desired.id} exists with different content; IoT Hub content is immutable, so it was not created by this revision`, actions);
      }
      await call(() => deps.configurations.delete(desired.id));
      actions.push({ op: 'delete', configurationId: desired.id, reason: ROTATED });
      count--;
      current = undefined;
    }
    if (current && keptRemade) {
      await call(() => deps.configurations.delete(desired.id));
      actions.push({ op: 'delete', configurationId: desired.id, reason: 'made again after the configuration it narrows, so that it stays the newest' });
      count--;
      current = undefined;
    }
    await ensure(desired, current, 'missing on the hub');

    for (const c of superseded) {
      await call(() => deps.configurations.delete(c.id));
      actions.push({ op: 'delete', configurationId: c.id, reason: 'superseded by a newer revision' });
    }
    return { state: 'applied', configurationId: desired.id, actions };
  } catch (error) {
    if (error instanceof RateLimitWaitTooLong) return pending('RateLimited', error.message, actions);
    if (isRetryable(error)) return pending(codeOf(error, 'HubUnavailable'), messageOf(error), actions);
    if (isAppError(error)) return failed(error.code, error.message, actions);
    throw error;
  }
}

/** A create that finds the configuration already there (a retry, a concurrent pass) succeeds when the content matches. */
async function createOrAccept(
  desired: ConfigurationSpec,
  configurations: HubConfigurations,
  call: <T>(operation: () => Promise<T>) => Promise<T>,
): Promise<void> {
  try {
    await call(() => configurations.create(desired));
  } catch (error) {
    if (!(isAppError(error) && error.status === 409)) throw error;
    const found = await call(() => configurations.get(desired.id));
    if (found && !sameContent(found, desired) && onlyCredentialsDiffer(found, desired)) {
      await call(() => configurations.delete(desired.id));
      await call(() => configurations.create(desired));
      return;
    }
    if (!found || !sameContent(found, desired)) {
      throw new AppError('ContentConflict', 409, `configuration ${desired.id} exists with different content`, { retryable: false });
    }
  }
}

const codeOf = (error: unknown, fallback: string) => (isAppError(error) ? error.code : ((error as { code?: string }).code ?? fallback));
const messageOf = (error: unknown) => (error instanceof Error ? error.message.split('\n')[0]! : String(error)).slice(0, 500);
const pending = (code: string, message: string, actions: SyncAction[]): HubSyncResult => ({ state: 'pending', error: { code, message }, actions });
const failed = (code: string, message: string, actions: SyncAction[]): HubSyncResult => ({ state: 'failed', error: { code, message }, actions });
