// Timer triggers: six-field NCRONTAB in UTC, `runOnStartup`, never two runs of
// one timer at once (a tick that lands while the previous run is still going
// is run right after it, with isPastDue=true), as the Functions host does.
import type { RegisteredFunction } from './functionsCore';
import { type HostLogger, invoke, resolveAppSetting, triggerBindingName } from './invoke';
import { nextOccurrence, parseSchedule, type Schedule } from './ncrontab';

export interface TimerRunner {
  readonly name: string;
  /** Runs now (admin API or tests); resolves when this run has finished. Never overlaps another run. */
  runNow(): Promise<void>;
  stop(): Promise<void>;
}

export interface TimerOptions {
  readonly settings: Readonly<Record<string, string | undefined>>;
  readonly logger: HostLogger;
  readonly now?: () => Date;
}

/** Delay past which a tick counts as late; the host uses a similar tolerance. */
const PAST_DUE_TOLERANCE_MS = 1000;

export function startTimer(fn: RegisteredFunction, options: TimerOptions): TimerRunner {
  const now = options.now ?? (() => new Date());
  const triggerName = triggerBindingName(fn);
  const binding = fn.metadata.bindings[triggerName]!;
  const schedule: Schedule = parseSchedule(resolveAppSetting(binding.schedule, options.settings) ?? '');
  let last: Date | undefined;
  let next = nextOccurrence(schedule, now());
  let running: Promise<void> | undefined;
  let queued: Promise<void> | undefined;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;

  async function runOnce(scheduledFor: Date): Promise<void> {
    const startedAt = now();
    const isPastDue = startedAt.getTime() - scheduledFor.getTime() > PAST_DUE_TOLERANCE_MS;
    const timerInput = {
      Schedule: { AdjustForDST: true },
      ScheduleStatus: {
        Last: (last ?? new Date(0)).toISOString(),
        Next: next.toISOString(),
        LastUpdated: startedAt.toISOString(),
      },
      IsPastDue: isPastDue,
    };
    last = startedAt;
    await invoke(fn, { inputData: [{ name: triggerName, data: { json: JSON.stringify(timerInput) } }] }, options.logger);
  }

  function run(scheduledFor: Date): Promise<void> {
    if (running) {
      // Coalesce: at most one run waits behind the current one.
      queued ??= running.then(() => {
        queued = undefined;
        return run(scheduledFor);
      });
      return queued;
    }
    running = runOnce(scheduledFor).finally(() => {
      running = undefined;
    });
    return running;
  }

  function arm(): void {
    if (stopped) return;
    const delay = Math.max(0, next.getTime() - now().getTime());
    // setTimeout caps at ~24.8 days; re-arm in steps for schedules further out.
    timer = setTimeout(() => {
      if (now().getTime() + 5 < next.getTime()) return arm();
      const scheduledFor = next;
      next = nextOccurrence(schedule, scheduledFor);
      void run(scheduledFor);
      arm();
    }, Math.min(delay, 2 ** 31 - 1));
  }

  if (binding.runOnStartup === true) void run(now());
  arm();

  return {
    name: fn.metadata.name,
    runNow: () => run(now()),
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await queued;
      await running;
    },
  };
}
