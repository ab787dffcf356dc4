// One device as ingestion knows it: its modules reported against desired
// (image, status, exit code, restarts), its connection and when it was last seen.
import { api } from '../api';
import { Badge } from '../components/Badge';
import { ago } from '../model/time';
import { useNow, usePoll } from '../poll';
import { href } from '../router';
import { Failure, Loading, Section } from './common';

const moduleTone = (s: string | null) => (s === 'running' ? 'ok' : s === 'failed' || s === 'unhealthy' || s === 'backoff' ? 'bad' : 'muted');

export function DeviceView({ hub, deviceId, deployment }: { hub: string; deviceId: string; deployment: string | null }) {
  const device = usePoll(() => api.device(hub, deviceId), [hub, deviceId], 5000);
  const now = useNow();
  const d = device.data;
  return (
    <>
      <nav aria-label="Breadcrumb" class="crumbs">
        <a href={href.overview()}>Fleet</a>
        {deployment ? (
          <>
            {' / '}
            <a href={href.rollout(deployment)}>{deployment}</a> / <a href={href.devices(deployment)}>devices</a>
          </>
        ) : null}{' '}
        / <span aria-current="page">{deviceId}</span>
      </nav>
      <div class="title-row">
        <h1>{deviceId}</h1>
        <Badge tone="muted">hub {hub}</Badge>
        {d ? <Badge tone={d.state === 'succeeded' ? 'ok' : d.state === 'failed' ? 'bad' : d.state === 'offline' ? 'warn' : 'info'}><span data-testid="device-state">{d.state}</span></Badge> : null}
      </div>
      {device.error ? <Failure error={device.error} /> : null}
      {!d ? (
        <Loading what={deviceId} />
      ) : (
        <>
          <Section title="Modules: reported against desired" id="modules-title">
            <div class="scroll">
              <table class="modules" data-testid="modules">
                <thead>
                  <tr>
                    <th scope="col">Module</th>
                    <th scope="col">Status (desired)</th>
                    <th scope="col">Image reported</th>
                    <th scope="col">Image desired</th>
                    <th scope="col" class="num">Exit code</th>
                    <th scope="col" class="num">Restarts</th>
                    <th scope="col">Started</th>
                  </tr>
                </thead>
                <tbody>
                  {Object.entries(d.modules).map(([name, m]) => (
                    <tr key={name} data-module={name}>
                      <th scope="row">{name}</th>
                      <td>
                        <Badge tone={moduleTone(m.runtimeStatus)}>{m.runtimeStatus ?? 'not reported'}</Badge> <span class="muted">({m.desiredStatus ?? '—'})</span>
                      </td>
                      <td class={m.image && m.desiredImage && m.image !== m.desiredImage ? 'mismatch' : ''}>
                        <code>{m.image ?? '—'}</code>
                      </td>
                      <td>
                        <code>{m.desiredImage ?? '—'}</code>
                      </td>
                      <td class="num" data-testid="exit-code">{m.exitCode ?? '—'}</td>
                      <td class="num">{m.restartCount ?? '—'}</td>
                      <td>{m.lastStartTimeUtc ? ago(m.lastStartTimeUtc, now) : '—'}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </Section>
          <div class="grid">
            <Section title="Connection" id="connection-title">
              <ol class="timeline compact" data-testid="connection">
                {d.connection ? (
                  <li>
                    <time dateTime={d.connection.since}>{new Date(d.connection.since).toLocaleString()}</time>
                    <div>
                      <Badge tone={d.connection.connected ? 'ok' : 'warn'}>{d.connection.connected ? 'connected' : 'disconnected'}</Badge> {ago(d.connection.since, now)}
                    </div>
                  </li>
                ) : (
                  <li>No connection event received yet.</li>
                )}
              </ol>
              <dl class="facts">
                <dt>Last seen</dt>
                <dd data-testid="last-seen">{ago(d.lastSeenAt, now)}</dd>
                <dt>Last heartbeat</dt>
                <dd>{ago(d.heartbeatAt, now)}</dd>
                <dt>Last event</dt>
                <dd>{ago(d.lastEventAt, now)}</dd>
              </dl>
            </Section>
            <Section title="Deployment on the device" id="applied-title">
              <dl class="facts">
                <dt>Configuration</dt>
                <dd>
                  <code>{d.deployment?.configurationId ?? 'none'}</code>
                </dd>
                <dt>Desired version</dt>
                <dd>
                  {d.desiredVersion ?? '—'} (agent acted on {d.lastDesiredVersion ?? '—'})
                </dd>
                <dt>edgeAgent status</dt>
                <dd>{d.desiredStatusCode ?? '—'}</dd>
              </dl>
            </Section>
          </div>
        </>
      )}
    </>
  );
}
