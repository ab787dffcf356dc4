// Live data without a reload: one request at a time per view, again every
// `intervalMs` while the tab is visible, at once when it becomes visible again.
import { useEffect, useRef, useState } from 'preact/hooks';

export interface Polled<T> {
  readonly data: T | undefined;
  readonly error: Error | undefined;
  readonly updatedAt: Date | undefined;
  refresh(): void;
}

export function usePoll<T>(load: () => Promise<T>, deps: readonly unknown[], intervalMs: number): Polled<T> {
  // Results are tagged with the deps they were loaded for: after a change of route the
  // previous view's data is never shown as this one's, not even for one render.
  const key = JSON.stringify(deps);
  const [state, setState] = useState<{ key?: string; data?: T; error?: Error; updatedAt?: Date }>({});
  const refresh = useRef<() => void>(() => undefined);
  const latestLoad = useRef(load);
  latestLoad.current = load;

  useEffect(() => {
    // Everything of one poller lives in this closure: a change of deps stops it and starts another.
    let stopped = false;
    let running = false;
    let timer: number | undefined;
    const tick = async () => {
      window.clearTimeout(timer);
      if (running || stopped) return;
      running = true;
      try {
        const data = await latestLoad.current();
        if (!stopped) setState({ key, data, updatedAt: new Date() });
      } catch (error) {
        if (!stopped) setState((s) => ({ ...(s.key === key ? s : {}), key, error: error as Error }));
      } finally {
        running = false;
        if (!stopped && !document.hidden) timer = window.setTimeout(() => void tick(), intervalMs);
      }
    };
    refresh.current = () => void tick();
    void tick();
    const onVisible = () => {
      if (!document.hidden) void tick();
    };
    document.addEventListener('visibilitychange', onVisible);
    return () => {
      stopped = true;
      window.clearTimeout(timer);
      document.removeEventListener('visibilitychange', onVisible);
    };
  }, [key, intervalMs]);

  const current = state.key === key ? state : {};
  return { data: current.data, error: current.error, updatedAt: current.updatedAt, refresh: () => refresh.current() };
}

/** A clock for "time left" and "ago" texts, ticking once a second. */
export function useNow(everyMs = 1000): Date {
  const [now, setNow] = useState(() => new Date());
  useEffect(() => {
    const t = window.setInterval(() => setNow(new Date()), everyMs);
    return () => window.clearInterval(t);
  }, [everyMs]);
  return now;
}
