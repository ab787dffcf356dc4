// The revision history, newest first, a diff between any two revisions'
// specs, and roll back to one of them (with what it will do said first).
import { useEffect, useState } from 'preact/hooks';
import { allRevisions, api } from '../api';
import { Badge } from '../components/Badge';
import { ConfirmDialog } from '../components/ConfirmDialog';
import type { DeploymentStatus, RevisionView } from '../model/apiTypes';
import { type Confirmation, rollbackConfirmation } from '../model/confirmations';
import { diffSpecs } from '../model/diff';
import { href } from '../router';
import { Failure, Loading, Section } from './common';

const causeText = (cause: Record<string, unknown>) =>
  Object.entries(cause)
    .map(([k, v]) => {
      const text = typeof v === 'string' ? v : JSON.stringify(v);
      return k === 'kind' || k === 'type' ? text : `${k} ${text}`;
    })
    .join(', ');

export function RevisionsView({ id, announce }: { id: string; announce: (message: string) => void }) {
  const [data, setData] = useState<{ revisions: RevisionView[]; status: DeploymentStatus } | undefined>();
  const [error, setError] = useState<Error | undefined>();
  const [from, setFrom] = useState<number | undefined>();
  const [to, setTo] = useState<number | undefined>();
  const [asking, setAsking] = useState<{ revision: number; confirmation: Confirmation } | undefined>();
  const [reload, setReload] = useState(0);

  useEffect(() => {
    let live = true;
    Promise.all([allRevisions(id), api.status(id)]).then(
      ([revisions, status]) => {
        if (!live) return;
        setData({ revisions, status });
        const last = revisions[revisions.length - 1]?.revision;
        setTo((t) => t ?? last);
        setFrom((f) => f ?? revisions[revisions.length - 2]?.revision ?? last);
      },
      (e: Error) => live && setError(e),
    );
    return () => {
      live = false;
    };
  }, [id, reload]);

  if (!data) return error ? <Failure error={error} /> : <Loading what="revisions" />;
  const { revisions, status } = data;
  const byNumber = new Map(revisions.map((r) => [r.revision, r]));
  const a = from === undefined ? undefined : byNumber.get(from);
  const b = to === undefined ? undefined : byNumber.get(to);
  const diff = a && b ? diffSpecs(a.spec, b.spec) : [];
  const changed = diff.filter((l) => l.op !== ' ').length;

  const rollback = async (revision: number) => {
    setAsking(undefined);
    try {
      await api.rollback(id, revision);
      announce(`Rolled back: a new revision equal to revision ${revision} is on its way to its hubs.`);
    } catch (e) {
      announce(`Rollback failed: ${(e as Error).message}`);
    }
    setReload((n) => n + 1);
  };

  return (
    <>
      <nav aria-label="Breadcrumb" class="crumbs">
        <a href={href.overview()}>Fleet</a> / <a href={href.rollout(id)}>{id}</a> / <span aria-current="page">revisions</span>
      </nav>
      <h1>Revisions of {id}</h1>
      {asking ? <ConfirmDialog confirmation={asking.confirmation} onCancel={() => setAsking(undefined)} onConfirm={() => void rollback(asking.revision)} /> : null}
      <Section title="History" id="history-title">
        <table class="revisions" data-testid="revisions">
          <thead>
            <tr>
              <th scope="col">Revision</th>
              <th scope="col">Made</th>
              <th scope="col">Cause</th>
              <th scope="col">Hubs</th>
              <th scope="col">
                <span class="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {[...revisions].reverse().map((r) => (
              <tr key={r.revision} data-revision={r.revision}>
                <th scope="row">
                  {r.revision} {r.revision === status.revision ? <Badge tone="info">current</Badge> : null}
                </th>
                <td>{new Date(r.createdAt).toLocaleString()}</td>
                <td>{causeText(r.cause)}</td>
                <td>{r.hubs.join(', ')}</td>
                <td>
                  {r.revision !== status.revision ? (
                    <button type="button" onClick={() => setAsking({ revision: r.revision, confirmation: rollbackConfirmation(r, status) })}>
                      Roll back to {r.revision}
                    </button>
                  ) : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </Section>
      <Section title="Diff" id="diff-title">
        <div class="diff-pick">
          <label>
            From revision{' '}
            <select value={from} onChange={(e) => setFrom(Number(e.currentTarget.value))}>
              {revisions.map((r) => (
                <option key={r.revision} value={r.revision}>
                  {r.revision}
                </option>
              ))}
            </select>
          </label>
          <label>
            to revision{' '}
            <select value={to} onChange={(e) => setTo(Number(e.currentTarget.value))}>
              {revisions.map((r) => (
                <option key={r.revision} value={r.revision}>
                  {r.revision}
                </option>
              ))}
            </select>
          </label>
          <span class="muted" role="status">
            {changed} changed line{changed === 1 ? '' : 's'}
          </span>
        </div>
        <pre class="diff" data-testid="diff" tabIndex={0} aria-label={`Spec diff from revision ${from ?? ''} to ${to ?? ''}`}>
          {diff.map((l, i) => (
            <span key={i} class={l.op === '+' ? 'add' : l.op === '-' ? 'del' : 'same'}>
              {l.op === '+' ? '+ ' : l.op === '-' ? '- ' : '  '}
              {l.text}
              {'\n'}
            </span>
          ))}
        </pre>
      </Section>
    </>
  );
}
