// The fleet at a glance: every deployment with its revision, rollout phase,
// conditions and a health bar per hub; then the hubs themselves. One request
// per deployment (its /status) and one for the hubs per refresh, never per device.
import { api } from '../api';
import { Badge, conditionTone, phaseTone } from '../components/Badge';
import { HealthBar } from '../components/HealthBar';
import type { DeploymentStatus, DeploymentSummary, HubInfo } from '../model/apiTypes';
import { ago } from '../model/time';
import { useNow, usePoll } from '../poll';
import { href } from '../router';
import { Failure, Freshness, Loading, mapLimited, Section } from './common';

const POLL_MS = 5000;

interface FleetData {
  readonly deployments: readonly { summary: DeploymentSummary; status: DeploymentStatus | null; error?: string }[];
  readonly hubs: readonly HubInfo[];
}

async function loadFleet(): Promise<FleetData> {
  const [list, hubs] = await Promise.all([api.deployments(), api.hubs()]);
  const deployments = await mapLimited(list.items, 4, async (summary) => {
    try {
      return { summary, status: await api.status(summary.id) };
    } catch (error) {
      return { summary, status: null, error: (error as Error).message };
    }
  });
  return { deployments, hubs: hubs.hubs };
}

export function Overview() {
  const fleet = usePoll(loadFleet, [], POLL_MS);
  const now = useNow();
  if (!fleet.data) return fleet.error ? <Failure error={fleet.error} /> : <Loading what="the fleet" />;
  const { deployments, hubs } = fleet.data;
  return (
    <>
      <h1>Fleet</h1>
      {fleet.error ? <Failure error={fleet.error} /> : null}
      <Section title="Deployments" id="deployments-title" extra={<span class="muted">refreshed {ago(fleet.updatedAt?.toISOString(), now)}</span>}>
        {deployments.length === 0 ? <p class="muted">No deployments yet.</p> : null}
        <ul class="deployments">
          {deployments.map(({ summary, status, error }) => (
            <li key={summary.id} class="deployment" data-deployment={summary.id}>
              <div class="deployment-head">
                <h3>
                  <a href={href.rollout(summary.id)}>{summary.id}</a>
                </h3>
                <Badge tone="muted">revision {summary.revision}</Badge>
                {status?.rollout ? <Badge tone={phaseTone(status.rollout.phase)}>rollout {status.rollout.phase}</Badge> : null}
                {status?.deletedAt ? <Badge tone="muted">deleted</Badge> : null}
                {status?.conditions.map((c) => (
                  <Badge key={c.type} tone={conditionTone(c.type, c.status)} title={`${c.reason}: ${c.message}`}>
                    {c.type} {c.status === 'True' ? '' : c.status === 'False' ? '✗' : '?'}
                  </Badge>
                ))}
              </div>
              {error ? <p class="error">{error}</p> : null}
              {status ? (
                <>
                  <p class="meta">
                    <Freshness asOf={status.devicesSource === 'health' ? status.devicesAsOf : status.dataAsOf} now={now} label={status.devicesSource === 'health' ? 'device health' : 'hub counts'} />
                    {' · '}
                    <a href={href.devices(summary.id)}>devices</a>
                    {' · '}
                    <a href={href.revisions(summary.id)}>revisions</a>
                  </p>
                  <table class="hubs-table">
                    <caption class="sr-only">Hubs of {summary.id}</caption>
                    <thead>
                      <tr>
                        <th scope="col">Hub</th>
                        <th scope="col">Sync</th>
                        <th scope="col" class="wide">Devices on revision {status.revision}</th>
                      </tr>
                    </thead>
                    <tbody>
                      {status.hubs.map((h) => (
                        <tr key={h.hub} data-hub={h.hub}>
                          <th scope="row">{h.hub}</th>
                          <td>
                            <Badge tone={h.state === 'applied' ? 'ok' : h.state === 'failed' ? 'bad' : 'info'} title={h.lastError?.message}>
                              {h.state}
                              {h.desiredRevision !== null && h.desiredRevision !== status.revision ? ` r${h.desiredRevision}` : ''}
                            </Badge>
                          </td>
                          <td class="wide">
                            <HealthBar counts={h.devices} label={`${summary.id} on ${h.hub}`} />
                          </td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </>
              ) : null}
            </li>
          ))}
        </ul>
      </Section>
      <Section title="Hubs" id="hubs-title">
        <HubsTable hubs={hubs} deployments={deployments.flatMap((d) => (d.status ? [d.status] : []))} now={now} />
      </Section>
    </>
  );
}

function HubsTable({ hubs, deployments, now }: { hubs: readonly HubInfo[]; deployments: readonly DeploymentStatus[]; now: Date }) {
  // Devices per hub: the largest targeted count among the deployments there (a device
  // targeted by two deployments is one device, so counts are not added up).
  const targeted = (hub: string) => Math.max(0, ...deployments.flatMap((d) => d.hubs.filter((h) => h.hub === hub).map((h) => h.metrics?.targetedCount ?? 0)));
  return (
    <table class="hubs-table" data-testid="hubs">
      <thead>
        <tr>
          <th scope="col">Hub</th>
          <th scope="col">Region</th>
          <th scope="col">Reachable</th>
          <th scope="col">Last contact</th>
          <th scope="col" class="num">Devices targeted</th>
          <th scope="col" class="num">Configurations</th>
        </tr>
      </thead>
      <tbody>
        {hubs.map((h) => (
          <tr key={h.name} data-hub={h.name}>
            <th scope="row">{h.name}</th>
            <td>{h.region}</td>
            <td>
              {h.reachability.reachable === null ? (
                <Badge tone="muted">not checked</Badge>
              ) : h.reachability.reachable ? (
                <Badge tone="ok">reachable</Badge>
              ) : (
                <Badge tone="bad" title={h.reachability.lastError?.message}>unreachable</Badge>
              )}
            </td>
            <td>{ago(h.reachability.lastContactAt, now)}</td>
            <td class="num">{targeted(h.name)}</td>
            <td class="num">{h.reachability.configurationCount ?? '—'}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
