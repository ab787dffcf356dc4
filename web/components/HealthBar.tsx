import type { DeviceCounts } from '../model/apiTypes';
import { describeCounts, healthSegments } from '../model/healthBar';

// One hub's devices by health state, proportional; the counts are in the
// accessible name and in a visible legend, so the colours are never the only cue.
export function HealthBar({ counts, label }: { counts: DeviceCounts | null; label: string }) {
  if (!counts) return <div class="bar bar-empty" role="img" aria-label={`${label}: no device health yet`} data-testid="health-bar" data-empty="true"><span>no health yet</span></div>;
  const segments = healthSegments(counts);
  return (
    <div class="bar-wrap">
      <div class="bar" role="img" aria-label={`${label}: ${describeCounts(counts)}`} data-testid="health-bar">
        {segments.map((s) => (
          <span key={s.state} class={`seg seg-${s.state}`} style={{ width: `${s.percent}%` }} title={`${s.count} ${s.state}`} data-state={s.state} data-count={s.count} />
        ))}
      </div>
      <ul class="legend" aria-hidden="true">
        {segments.map((s) => (
          <li key={s.state}>
            <i class={`dot seg-${s.state}`} />
            {s.count} {s.state}
          </li>
        ))}
      </ul>
    </div>
  );
}
