// The handlers of functions/reconcile.ts, loaded the first time one of them runs (shared/http/lazyHandlers.ts):
// importing the app registers its functions without loading this module or what it imports.
import type { InvocationContext, Timer } from '@azure/functions';
import { getServices } from '../composition';
import { offlineJudgedAfterSeconds } from '../domain/health/liveness';
import { json, withProblems } from '../http/respond';
import { eventLogger } from '../logging';
import { lruHealthCache } from '../services/health/healthCache';
import { markSilentOffline, SWEEP_CACHE_DEVICES } from '../services/health/markSilentOffline';
import { reconcilePass } from '../services/reconcile/reconcilePass';

/** Where the next stale sweep starts, when the last one ran out of budget (per instance; any start is correct). */
let sweepResumeAt = 0;

async function runPass(context: InvocationContext, trigger: string) {
  const { reconcileLease, deployments, configurationFor, fleet, hubStatus, metrics, deviceCounts, rolloutStatus, rollouts, settings, health, rowTtls, statusSummaries } = await getServices();
  const report = await reconcilePass(reconcileLease, {
    store: deployments,
    configurationFor,
    fleet,
    hubStatus,
    metrics,
    deviceCounts,
    rolloutStatus,
    rollouts,
    statusSummaries,
    rowTtls,
    gcMaxDeletePercent: settings.GC_MAX_DELETE_PERCENT,
    // The sweep has its own small cache: the devices it touches are cold, and must not evict ingestion's hot ones.
    sweepSilentDevices: async (ctx) => {
      const sweep = await markSilentOffline({
        store: ctx.guard(health, ['write', 'deleteCounters', 'deadLetter']),
        cache: lruHealthCache(SWEEP_CACHE_DEVICES),
        hubs: settings.HUBS.map((h) => h.name),
        offlineAfterSeconds: offlineJudgedAfterSeconds(settings.DEVICE_OFFLINE_AFTER_SECONDS, settings.DEVICE_LIVENESS_WRITE_SECONDS),
        now: () => new Date(),
        deadline: ctx.deadline,
        startAt: sweepResumeAt,
      });
      sweepResumeAt = sweep.resumeAt;
      return sweep;
    },
    budgetMs: settings.RECONCILE_BUDGET_SECONDS * 1000,
  });
  const log = eventLogger(context);
  // Each rollout transition on its own line, so one grep follows a rollout across passes.
  for (const transition of report.ran ? (report.rollouts?.transitions ?? []) : []) log.info('rollout.transition', { trigger, ...transition });
  // A fenced garbage collection is a condition to act on: say where and why, every pass it holds.
  for (const hub of report.ran ? report.hubs.hubs : []) {
    if (hub.fence) log.warn('reconcile.gcFenced', { trigger, hub: hub.hub, installationId: fleet.installationId, ...hub.fence });
    if (hub.legacyOrphans) log.info('reconcile.legacyOrphans', { trigger, hub: hub.hub, count: hub.legacyOrphans });
  }
  if (report.ran && report.leaseLost) log.warn('reconcile.leaseLost', { trigger, stoppedIn: report.stoppedIn });
  // The one line an operator reads when something looks wrong.
  log.info('reconcile.pass', { trigger, ...(report.ran ? { durationMs: report.durationMs, stoppedIn: report.stoppedIn, ...report.summary } : { skipped: report.reason }) });
  return report;
}

// The controller loop: every minute by default (RECONCILE_SCHEDULE). A thrown
// error (storage down) fails this run only; the next tick tries again.
export const reconcileHandler = async (_timer: Timer, context: InvocationContext) => {
  await runPass(context, 'timer');
};

// POST /api/reconcile: run one pass now and see its report (admin key only).
export const reconcileNowHandler = withProblems(async (_request, context) => {
  const report = await runPass(context, 'http');
  return json(report.ran ? 200 : 409, report);
});
