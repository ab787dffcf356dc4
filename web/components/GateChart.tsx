import { type GateRow, rowScale } from '../model/gateRows';

// Each gate figure as a bar with its threshold drawn across it; the table
// reads the same numbers out (the drawing is decoration for screen readers).
export function GateChart({ rows }: { rows: readonly GateRow[] }) {
  if (rows.length === 0) return <p class="muted">No gate limits.</p>;
  return (
    <table class="gate" data-testid="gate">
      <caption class="sr-only">Gate figures against their thresholds</caption>
      <thead>
        <tr>
          <th scope="col">Figure</th>
          <th scope="col" class="gate-plot-col" aria-hidden="true" />
          <th scope="col">Now</th>
          <th scope="col">Limit</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((r) => {
          const scale = rowScale(r);
          const value = r.value ?? 0;
          const state = r.ok === null ? 'none' : r.ok ? 'ok' : 'bad';
          return (
            <tr key={r.key} data-gate={r.key} data-ok={String(r.ok)}>
              <th scope="row">{r.label}{r.unit === '%' ? ' (%)' : ''}</th>
              <td class="gate-plot-col" aria-hidden="true">
                <svg viewBox="0 0 100 12" preserveAspectRatio="none" class="gate-plot">
                  <rect x="0" y="2" width="100" height="8" class="gate-track" />
                  <rect x="0" y="2" width={(value / scale) * 100} height="8" class={`gate-value gate-${state}`} />
                  <line x1={(r.limit / scale) * 100} x2={(r.limit / scale) * 100} y1="0" y2="12" class="gate-limit" />
                </svg>
              </td>
              <td class={`num gate-text-${state}`}>{r.value === null ? '—' : `${r.value}${r.unit}`}</td>
              <td class="num">
                {r.kind === 'max' ? '≤ ' : '≥ '}
                {r.limit}
                {r.unit}
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
