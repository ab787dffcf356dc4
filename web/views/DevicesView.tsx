// A deployment's devices on its current revision, by state, a page at a time
// (one request per page, whatever the fleet's size).
import { useState } from 'preact/hooks';
import { api } from '../api';
import { Badge } from '../components/Badge';
import { HEALTH_STATES } from '../model/apiTypes';
import { usePoll } from '../poll';
import { href } from '../router';
import { Failure, Loading, Section } from './common';

const PAGE_SIZE = 25;
const stateTone = (s: string) => (s === 'succeeded' ? 'ok' : s === 'failed' ? 'bad' : s === 'progressing' ? 'info' : s === 'offline' ? 'warn' : 'muted');

export function DevicesView({ id, state }: { id: string; state: string | null }) {
  // Tokens of the pages before this one, so Previous needs no re-listing.
  const [tokens, setTokens] = useState<(string | undefined)[]>([undefined]);
  const token = tokens[tokens.length - 1];
  const page = usePoll(() => api.devices(id, state, PAGE_SIZE, token), [id, state, token], 10_000);
  const filters: (string | null)[] = [null, ...HEALTH_STATES];
  return (
    <>
      <nav aria-label="Breadcrumb" class="crumbs">
        <a href={href.overview()}>Fleet</a> / <a href={href.rollout(id)}>{id}</a> / <span aria-current="page">devices</span>
      </nav>
      <h1>Devices of {id}</h1>
      <Section title="Filter by state" id="filter-title">
        <ul class="filters">
          {filters.map((f) => (
            <li key={f ?? 'all'}>
              <a href={href.devices(id, f)} aria-current={f === state ? 'page' : undefined} class={f === state ? 'filter active' : 'filter'} onClick={() => setTokens([undefined])}>
                {f ?? 'all'}
              </a>
            </li>
          ))}
        </ul>
      </Section>
      <Section title={`${state ?? 'All'} devices, page ${tokens.length}`} id="devices-title">
        {page.error ? <Failure error={page.error} /> : null}
        {!page.data ? (
          <Loading what="devices" />
        ) : page.data.items.length === 0 ? (
          <p class="muted">No {state ?? ''} devices on the current revision.</p>
        ) : (
          <table class="devices" data-testid="devices">
            <thead>
              <tr>
                <th scope="col">Device</th>
                <th scope="col">Hub</th>
                <th scope="col">State</th>
              </tr>
            </thead>
            <tbody>
              {page.data.items.map((d) => (
                <tr key={`${d.hub}/${d.deviceId}`} data-device={d.deviceId}>
                  <th scope="row">
                    <a href={href.device(d.hub, d.deviceId, id)}>{d.deviceId}</a>
                  </th>
                  <td>{d.hub}</td>
                  <td>
                    <Badge tone={stateTone(d.state)}>{d.state}</Badge>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        <div class="pager">
          <button type="button" disabled={tokens.length === 1} onClick={() => setTokens(tokens.slice(0, -1))}>
            Previous page
          </button>
          <button type="button" disabled={!page.data?.continuationToken} onClick={() => setTokens([...tokens, page.data?.continuationToken ?? undefined])}>
            Next page
          </button>
        </div>
      </Section>
    </>
  );
}
