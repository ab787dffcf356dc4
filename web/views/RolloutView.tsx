// One deployment's progressive rollout, live: the waves in order (hubs,
// device selector, state, soak left), the gate's figures against its limits,
// the transitions as a timeline, and the hand controls with confirmations.
import { useEffect, useState } from 'preact/hooks';
import { allRevisions, api } from '../api';
import { Badge, conditionTone, phaseTone } from '../components/Badge';
import { ConfirmDialog } from '../components/ConfirmDialog';
import { GateChart } from '../components/GateChart';
import { HealthBar } from '../components/HealthBar';
import type { DeploymentStatus, GateSpec, RevisionView, RolloutView as Rollout } from '../model/apiTypes';
import { commandConfirmation, type Confirmation, type RolloutCommand } from '../model/confirmations';
import { gateRows } from '../model/gateRows';
import { duration, soakLeft } from '../model/time';
import { useNow, usePoll } from '../poll';
import { href } from '../router';
import { Failure, Freshness, Loading, Section } from './common';

const POLL_MS = 2000;

const ALLOWED: Record<RolloutCommand, readonly string[]> = {
  pause: ['applying', 'soaking'],
  resume: ['paused'],
  promote: ['soaking'],
  abort: ['applying', 'soaking', 'paused'],
};
const COMMANDS: readonly RolloutCommand[] = ['pause', 'resume', 'promote', 'abort'];
const LABELS: Record<RolloutCommand, string> = { pause: 'Pause', resume: 'Resume', promote: 'Promote', abort: 'Abort' };

const selectorText = (s: Readonly<Record<string, unknown>> | null) =>
  s ? Object.entries(s).map(([k, v]) => `${k}=${Array.isArray(v) ? v.join('|') : String(v)}`).join(', ') : 'all devices';

export function RolloutView({ id, announce }: { id: string; announce: (message: string) => void }) {
  const status = usePoll(() => api.status(id), [id], POLL_MS);
  const now = useNow();
  const [revisions, setRevisions] = useState<RevisionView[] | undefined>();
  const [asking, setAsking] = useState<{ command: RolloutCommand; confirmation: Confirmation } | undefined>();
  const [busy, setBusy] = useState(false);
  const revision = status.data?.revision;

  useEffect(() => {
    if (revision === undefined) return;
    let live = true;
    allRevisions(id).then((r) => live && setRevisions(r), () => undefined);
    return () => {
      live = false;
    };
  }, [id, revision]);

  if (!status.data) return status.error ? <Failure error={status.error} /> : <Loading what={id} />;
  const s = status.data;
  const r = s.rollout;
  const gateSpec = r ? ((revisions?.find((x) => x.revision === r.revision)?.spec as { rollout?: { gate?: GateSpec } } | undefined)?.rollout?.gate) : undefined;

  const run = async (command: RolloutCommand) => {
    setAsking(undefined);
    setBusy(true);
    try {
      const view = await api.command(id, command);
      announce(`${LABELS[command]}: the rollout is now ${view.phase}.`);
    } catch (error) {
      announce(`${LABELS[command]} failed: ${(error as Error).message}`);
    } finally {
      setBusy(false);
      status.refresh();
    }
  };

  return (
    <>
      <nav aria-label="Breadcrumb" class="crumbs">
        <a href={href.overview()}>Fleet</a> / <span aria-current="page">{id}</span>
      </nav>
      <div class="title-row">
        <h1>{id}</h1>
        <Badge tone="muted">revision {s.revision}</Badge>
        {r ? <Badge tone={phaseTone(r.phase)}><span data-testid="phase">{r.phase}</span></Badge> : <Badge tone="muted">no rollout</Badge>}
        {s.conditions.map((c) => (
          <Badge key={c.type} tone={conditionTone(c.type, c.status)} title={`${c.reason}: ${c.message}`}>
            {c.type}: {c.status}
          </Badge>
        ))}
      </div>
      <p class="meta">
        <Freshness asOf={s.devicesSource === 'health' ? s.devicesAsOf : s.dataAsOf} now={now} label={s.devicesSource === 'health' ? 'device health' : 'hub counts'} />
        {' · '}
        <a href={href.devices(id)}>devices</a>
        {' · '}
        <a href={href.revisions(id)}>revisions and rollback</a>
      </p>
      {status.error ? <Failure error={status.error} /> : null}
      {r ? (
        <div class="toolbar" role="toolbar" aria-label="Rollout controls">
          {COMMANDS.map((c) => (
            <button
              key={c}
              type="button"
              class={c === 'abort' ? 'danger' : ''}
              disabled={busy || !ALLOWED[c].includes(r.phase) || (c === 'abort' && r.fromRevision === null)}
              onClick={() => setAsking({ command: c, confirmation: commandConfirmation(c, s) })}
            >
              {LABELS[c]}
            </button>
          ))}
        </div>
      ) : null}
      {asking ? <ConfirmDialog confirmation={asking.confirmation} onCancel={() => setAsking(undefined)} onConfirm={() => void run(asking.command)} /> : null}
      <div class="grid">
        <Section title="Hubs" id="rollout-hubs">
          <HubBars status={s} />
        </Section>
        {r ? (
          <Section title={`Gate of wave “${r.currentWave.name}”`} id="gate-title">
            <GateChart rows={gateRows(gateSpec, r.gate?.figures)} />
            {r.gate ? (
              <p class="gate-verdict" data-testid="gate-verdict">
                <Badge tone={r.gate.outcome === 'pass' ? 'ok' : r.gate.outcome === 'fail' ? 'bad' : 'info'}>{r.gate.outcome}</Badge> {r.gate.reason}: {r.gate.message}
              </p>
            ) : (
              <p class="muted">Not judged yet.</p>
            )}
          </Section>
        ) : null}
      </div>
      {r ? <Waves rollout={r} now={now} /> : null}
      {r ? <Timeline rollout={r} /> : null}
    </>
  );
}

function HubBars({ status }: { status: DeploymentStatus }) {
  return (
    <table class="hubs-table">
      <tbody>
        {status.hubs.map((h) => (
          <tr key={h.hub} data-hub={h.hub}>
            <th scope="row">{h.hub}</th>
            <td>
              <Badge tone={h.desiredRevision === status.revision ? 'info' : 'muted'}>r{h.desiredRevision ?? '–'}</Badge>
            </td>
            <td class="wide">
              <HealthBar counts={h.devices} label={`${status.id} on ${h.hub}`} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function Waves({ rollout, now }: { rollout: Rollout; now: Date }) {
  return (
    <Section title={`Waves of revision ${rollout.revision}`} id="waves-title">
      <ol class="waves" data-testid="waves">
        {rollout.waves.map((w, i) => {
          const current = w.state === 'current';
          const left = current && rollout.phase === 'soaking' ? soakLeft(rollout.soakUntil, now) : null;
          return (
            <li key={w.name} class={`wave wave-${w.state}`} data-wave={w.name} data-state={w.state} aria-current={current ? 'step' : undefined}>
              <div class="wave-head">
                <span class="wave-index" aria-hidden="true">{i + 1}</span>
                <strong>{w.name}</strong>
                <Badge tone={w.state === 'done' ? 'ok' : current ? phaseTone(rollout.phase) : 'muted'}>{current ? rollout.phase : w.state}</Badge>
              </div>
              <dl class="wave-facts">
                <dt>Hubs</dt>
                <dd>{w.hubs.join(', ') || 'none'}</dd>
                <dt>Devices</dt>
                <dd>{selectorText(w.deviceSelector)}</dd>
                <dt>Soak</dt>
                <dd>{current && left ? <span data-testid="soak-left">{left} left</span> : duration(w.soakSeconds * 1000)}</dd>
              </dl>
            </li>
          );
        })}
      </ol>
    </Section>
  );
}

function Timeline({ rollout }: { rollout: Rollout }) {
  const items = [...rollout.history].reverse();
  return (
    <Section title="Timeline" id="timeline-title">
      <ol class="timeline" data-testid="timeline" aria-live="polite" aria-relevant="additions">
        {items.map((h) => (
          <li key={`${h.at}-${h.reason}-${h.to}`} data-reason={h.reason}>
            <time dateTime={h.at}>{new Date(h.at).toLocaleTimeString()}</time>
            <div>
              <p>
                <strong>{h.reason}</strong> <span class="muted">wave {rollout.waves[h.wave]?.name ?? h.wave}:</span> {h.from ?? 'start'} → <Badge tone={phaseTone(h.to)}>{h.to}</Badge>
              </p>
              <p class="muted">{h.message}</p>
              {h.figures ? (
                <p class="figures">
                  {h.figures.succeeded} succeeded · {h.figures.failed} failed ({Math.round(h.figures.failedPercent * 10) / 10}%) · {h.figures.offline} offline
                  {h.figures.restartsDuringSoak !== null ? ` · ${h.figures.restartsDuringSoak} restarts` : ''}
                </p>
              ) : null}
            </div>
          </li>
        ))}
      </ol>
    </Section>
  );
}
