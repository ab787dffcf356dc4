// What each console action will do, said before it is done: which hubs and how
// many devices it touches, read off the status the operator is looking at.
import type { DeploymentStatus, RevisionView } from './apiTypes';
import { totalOf } from './healthBar';

export type RolloutCommand = 'pause' | 'resume' | 'promote' | 'abort';

export interface Confirmation {
  readonly title: string;
  readonly body: string;
  readonly confirm: string;
  readonly danger: boolean;
}

/** Devices on a hub as the status knows them: health counts, else the hub's targeted count. */
export function devicesOnHub(status: DeploymentStatus, hub: string): number {
  const h = status.hubs.find((x) => x.hub === hub);
  if (!h) return 0;
  if (h.devices) return totalOf(h.devices);
  return h.metrics?.targetedCount ?? 0;
}

const devicesOn = (status: DeploymentStatus, hubs: readonly string[]) => hubs.reduce((n, hub) => n + devicesOnHub(status, hub), 0);
const plural = (n: number, one: string) => `${n} ${one}${n === 1 ? '' : 's'}`;
const list = (hubs: readonly string[]) => (hubs.length ? hubs.join(', ') : 'no hub');

export function commandConfirmation(command: RolloutCommand, status: DeploymentStatus): Confirmation {
  const r = status.rollout;
  if (!r) return { title: 'No rollout', body: 'This deployment has no progressive rollout.', confirm: 'OK', danger: false };
  const wave = r.currentWave;
  const waveDevices = devicesOn(status, wave.hubs);
  const reached = r.waves.filter((w) => w.state !== 'waiting').flatMap((w) => w.hubs);
  const ahead = r.waves.filter((w) => w.state === 'waiting').flatMap((w) => w.hubs).filter((h) => !reached.includes(h));
  switch (command) {
    case 'pause':
      return {
        title: `Pause the rollout of revision ${r.revision}?`,
        body: `Wave "${wave.name}" (${list(wave.hubs)}, ${plural(waveDevices, 'device')}) stops where it is: devices keep what they run, no further hub gets revision ${r.revision}, and the soak left is remembered. ${plural(devicesOn(status, ahead), 'device')} on ${list(ahead)} wait.`,
        confirm: 'Pause rollout',
        danger: false,
      };
    case 'resume':
      return {
        title: `Resume the rollout of revision ${r.revision}?`,
        body:
          r.gate?.outcome === 'fail'
            ? `The gate of wave "${wave.name}" failed (${r.gate.reason}). Resuming accepts that wave as it is: the next wave starts and revision ${r.revision} goes on to ${list(ahead)} (${plural(devicesOn(status, ahead), 'device')}).`
            : `Wave "${wave.name}" (${list(wave.hubs)}, ${plural(waveDevices, 'device')}) goes on with the rest of its soak; then ${list(ahead)} (${plural(devicesOn(status, ahead), 'device')}) follow wave by wave.`,
        confirm: 'Resume rollout',
        danger: r.gate?.outcome === 'fail',
      };
    case 'promote':
      return {
        title: `End the soak of wave "${wave.name}" now?`,
        body: `The gate is still judged on the ${plural(waveDevices, 'device')} of ${list(wave.hubs)} at the next reconcile pass; if it passes, revision ${r.revision} goes on to ${list(ahead)} (${plural(devicesOn(status, ahead), 'device')}).`,
        confirm: 'Promote wave',
        danger: false,
      };
    case 'abort':
      return {
        title: `Abort the rollout and roll back to revision ${r.fromRevision ?? '?'}?`,
        body: `Revision ${r.fromRevision ?? '?'} goes back at once to every hub that got revision ${r.revision}: ${list(reached)} (${plural(devicesOn(status, reached), 'device')}). A new revision records the rollback.`,
        confirm: 'Abort and roll back',
        danger: true,
      };
  }
}

export function rollbackConfirmation(target: RevisionView, status: DeploymentStatus): Confirmation {
  const hubs = target.hubs;
  return {
    title: `Roll back to revision ${target.revision}?`,
    body: `A new revision ${status.revision + 1}, equal to revision ${target.revision}, goes at once to every hub it selects: ${list(hubs)} (${plural(devicesOn(status, hubs), 'device')} there now), with no waves.`,
    confirm: `Roll back to revision ${target.revision}`,
    danger: true,
  };
}
