// "Make hub H match revision R": the one idempotent operation behind the
// HTTP fan-out and the reconciler (STYLE habit 8). It re-reads the hub every
// time (level-triggered): create what is missing, update what drifted,
// delete what this deployment no longer wants — never anything the app did
// not create.
import { AppError, isAppError } from '../../errors';
import { canonicalStringify as canonicalJson } from '../../domain/deployments/canonicalJson';
import { configurationOwner, deploymentOf } from '../../domain/deployments/configurationOwner';
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
  /** This installation (INSTALLATION_ID): another installation's configurations are never touched. */
  readonly installationId: string;
  /** The caller's deadline (or lost lease): no hub call starts after it aborts, and the sync ends pending. */
  readonly signal?: AbortSignal;
  /** Called before every create, update and delete; a throw stops the sync before that write (the reconciler's lease check). */
  readonly beforeWrite?: () => Promise<void>;
}

export interface SyncOptions {
  /**
   * The hub's configurations as the caller just listed them. The reconciler
   * lists each hub once per pass and syncs every deployment from that list
   * (configuration reads count against the same 20/min/unit as writes).
   */
  readonly snapshot?: readonly HubConfiguration[];
  /**
   * Other configurations of the deployment the hub must hold too (while a
   * rollout wave narrows `desired` to some devices, the rest keep the previous
   * revision's). They are ensured like `desired`, but `desired` must stay the
   * newest: on equal priority IoT Hub gives a device the most recently created.
   */
  readonly keep?: readonly ConfigurationSpec[];
}

/** This installation's (or a pre-installation-label) configuration of the deployment. */
const isManagedBy = (c: HubConfiguration, deploymentId: string, installationId: string) =>
  deploymentOf(c.labels) === deploymentId && configurationOwner(c.labels, installationId) !== 'foreign';

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

export async function syncHub(deploymentId: string, desired: ConfigurationSpec | undefined, deps: HubSyncDeps, options: SyncOptions = {}): Promise<HubSyncResult> {
  const { snapshot, keep = [] } = options;
  const actions: SyncAction[] = [];
  const call = <T>(operation: () => Promise<T>) =>
    hubCall(deps.limiter, operation, {
      ...(deps.retry ? { retry: deps.retry } : {}),
      ...(deps.maxRateWaitMs !== undefined ? { maxRateWaitMs: deps.maxRateWaitMs } : {}),
      ...(deps.signal ? { signal: deps.signal } : {}),
    });
  /** A write: the lease (or whatever the caller guards with) is checked first, then the call is made. */
  const write = async <T>(operation: () => Promise<T>) => {
    await deps.beforeWrite?.();
    return call(operation);
  };

  try {
    const existing = snapshot ? [...snapshot] : await call(() => deps.configurations.list());
    const mine = existing.filter((c) => isManagedBy(c, deploymentId, deps.installationId));

    if (!desired) {
      for (const c of mine) {
        await write(() => deps.configurations.delete(c.id));
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
        await write(() => deps.configurations.delete(victim.id));
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
          await updateOrAccept(spec, have.etag, deps.configurations, call, write);
          actions.push({ op: 'update', configurationId: spec.id, reason });
        }
        return false;
      }
      await makeRoom();
      await createOrAccept(spec, deps.configurations, call, write);
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
    if (current && configurationOwner(current.labels, deps.installationId) === 'foreign') {
      return failed('ConfigurationOwnedElsewhere', `configuration ${desired.id} exists on the hub and belongs to another installation (label ${JSON.stringify(current.labels)}); it is left alone`, actions);
    }
    if (current && !sameContent(current, desired)) {
      if (!onlyCredentialsDiffer(current, desired)) {
        return failed('ContentConflict', `configuration ${desired.id} exists with different content; IoT Hub content is immutable, so it was not created by this revision`, actions);
      }
      await write(() => deps.configurations.delete(desired.id));
      actions.push({ op: 'delete', configurationId: desired.id, reason: ROTATED });
      count--;
      current = undefined;
    }
    if (current && keptRemade) {
      await write(() => deps.configurations.delete(desired.id));
      actions.push({ op: 'delete', configurationId: desired.id, reason: 'made again after the configuration it narrows, so that it stays the newest' });
      count--;
      current = undefined;
    }
    await ensure(desired, current, 'missing on the hub');

    for (const c of superseded) {
      await write(() => deps.configurations.delete(c.id));
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

type Call = <T>(operation: () => Promise<T>) => Promise<T>;

/** A create that finds the configuration already there (a retry, a concurrent pass) succeeds when the content matches. */
async function createOrAccept(desired: ConfigurationSpec, configurations: HubConfigurations, call: Call, write: Call): Promise<void> {
  try {
    await write(() => configurations.create(desired));
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

/**
 * An update guarded by the etag the caller read. A 412 is often our own
 * update: the first try reached the hub but its answer did not come back (a
 * timeout), so the retry carried an etag the update itself had replaced. Read
 * the configuration back: if it holds what we asked for, the update is
 * applied; if it drifted again (someone else), update once more from what is there.
 */
async function updateOrAccept(desired: ConfigurationSpec, etag: string, configurations: HubConfigurations, call: Call, write: Call): Promise<void> {
  try {
    await write(() => configurations.update(desired, etag));
  } catch (error) {
    if (!(isAppError(error) && error.status === 412)) throw error;
    const found = await call(() => configurations.get(desired.id));
    if (!found) throw new AppError('ConfigurationNotFound', 404, `configuration ${desired.id} disappeared while it was being updated`, { retryable: true });
    if (drifted(found, desired) === undefined) return;
    await write(() => configurations.update(desired, found.etag));
  }
}

const codeOf = (error: unknown, fallback: string) => (isAppError(error) ? error.code : ((error as { code?: string }).code ?? fallback));
const messageOf = (error: unknown) => (error instanceof Error ? error.message.split('\n')[0]! : String(error)).slice(0, 500);
const pending = (code: string, message: string, actions: SyncAction[]): HubSyncResult => ({ state: 'pending', error: { code, message }, actions });
const failed = (code: string, message: string, actions: SyncAction[]): HubSyncResult => ({ state: 'failed', error: { code, message }, actions });
