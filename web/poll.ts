// Live data without a reload: one request at a time per view, again every
// `intervalMs` while the tab is visible, at once when it becomes visible again.
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';

export interface Polled<T> {
  readonly data: T | undefined;
  readonly error: Error | undefined;
  readonly updatedAt: Date | undefined;
  refresh(): void;
}

export function usePoll<T>(load: () => Promise<T>, deps: readonly unknown[], intervalMs: number): Polled<T> {
  const [state, setState] = useState<{ data?: T; error?: Error; updatedAt?: Date }>({});
  const running = useRef(false);
  const timer = useRef<number | undefined>(undefined);
  const alive = useRef(true);
  const loadNow = useCallback(load, deps);

  const tick = useCallback(async () => {
    window.clearTimeout(timer.current);
    if (running.current) return;
    running.current = true;
    try {
      const data = await loadNow();
      if (alive.current) setState({ data, updatedAt: new Date() });
    } catch (error) {
      if (alive.current) setState((s) => ({ ...s, error: error as Error }));
    } finally {
      running.current = false;
      if (alive.current && !document.hidden) timer.current = window.setTimeout(() => void tick(), intervalMs);
    }
  }, [loadNow, intervalMs]);

  useEffect(() => {
    alive.current = true;
    setState({});
    void tick();
    const onVisible = () => {
      if (!document.hidden) void tick();
    };
    document.addEventListener('visibilitychange', onVisible);
    return () => {
      alive.current = false;
      window.clearTimeout(timer.current);
      document.removeEventListener('visibilitychange', onVisible);
    };
  }, [tick]);

  return { ...state, refresh: () => void tick() } as Polled<T>;
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
