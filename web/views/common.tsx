import type { ComponentChildren } from 'preact';
import { ApiError } from '../api';
import { ago, isStale } from '../model/time';
import { Badge } from '../components/Badge';

export const Loading = ({ what }: { what: string }) => (
  <p class="muted" role="status">
    Loading {what}…
  </p>
);

export function Failure({ error }: { error: Error }) {
  if (error instanceof ApiError && error.status === 401) return null;
  return (
    <p class="error" role="alert">
      {error.message}
    </p>
  );
}

export function Freshness({ asOf, now, label }: { asOf: string | null; now: Date; label: string }) {
  const stale = isStale(asOf, now);
  return (
    <span class="freshness" data-testid="freshness">
      {label} {ago(asOf, now)}
      {stale ? (
        <>
          {' '}
          <Badge tone="warn" title="Older than 5 minutes, or never seen">stale</Badge>
        </>
      ) : null}
    </span>
  );
}

export const Section = ({ title, id, children, extra }: { title: string; id: string; children: ComponentChildren; extra?: ComponentChildren }) => (
  <section class="card" aria-labelledby={id}>
    <div class="card-head">
      <h2 id={id}>{title}</h2>
      {extra}
    </div>
    {children}
  </section>
);

/** Runs `work` over `items` with at most `limit` at a time: a page of statuses, never a burst. */
export async function mapLimited<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await work(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}
