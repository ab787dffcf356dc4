// A device running (or failing to run) a deployment's revision as a v1 Pod:
// one Pod per device, its containers the modules, scheduled on its hub's node.
// The phase and container states say what health ingestion knows
// (https://kubernetes.io/docs/concepts/workloads/pods/pod-lifecycle/):
// succeeded -> Running; failed -> CrashLoopBackOff; progressing ->
// ContainerCreating; offline -> Unknown (never Running: the last report is stale).
import type { HealthState } from '../health/deviceHealth';
import { NAMESPACE, uidOf } from './deploymentObject';
import { TEMPLATE_HASH_LABEL } from './replicaSetObject';

type Obj = Record<string, unknown>;

export interface PodInput {
  readonly deployment: { readonly id: string; readonly createdAt: string; readonly revision: number; readonly template: Obj };
  readonly hub: string;
  readonly deviceId: string;
  readonly state: HealthState;
  /** restartCount by module, as health ingestion last stored it. */
  readonly restarts?: Readonly<Record<string, number>>;
}

const WAITING: Partial<Record<HealthState, { reason: string; message: string }>> = {
  failed: { reason: 'CrashLoopBackOff', message: 'the edge agent reports the module failing (restarting)' },
  progressing: { reason: 'ContainerCreating', message: 'the edge agent is applying the revision' },
};

export function renderPod(p: PodInput): Obj {
  const templateMeta = (p.deployment.template.metadata ?? {}) as { labels?: Record<string, string> };
  const containers = (((p.deployment.template.spec ?? {}) as { containers?: { name: string; image?: string }[] }).containers ?? []);
  const hash = `r${p.deployment.revision}`;
  const running = p.state === 'succeeded';
  const phase = p.state === 'offline' || p.state === 'unknown' ? 'Unknown' : p.state === 'progressing' ? 'Pending' : 'Running';
  const waiting = WAITING[p.state];
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: `${p.deployment.id}-${p.deviceId}`.toLowerCase(),
      namespace: NAMESPACE,
      uid: uidOf(`${p.deployment.id}/${p.hub}/${p.deviceId}`, p.deployment.createdAt),
      labels: { ...(templateMeta.labels ?? {}), [TEMPLATE_HASH_LABEL]: hash, 'edge-fleet.dev/device': p.deviceId },
      annotations: { 'edge-fleet.dev/hub': p.hub, 'edge-fleet.dev/health': p.state },
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: `${p.deployment.id}-${hash}`, uid: uidOf(`${p.deployment.id}/${hash}`, p.deployment.createdAt), controller: true }],
    },
    spec: { nodeName: p.hub, containers },
    status: {
      phase,
      ...(phase === 'Unknown' ? { reason: p.state === 'offline' ? 'NodeLost' : 'Unknown', message: p.state === 'offline' ? `device ${p.deviceId} is offline: its last report may be stale` : 'no health report yet' } : {}),
      conditions: [{ type: 'Ready', status: running ? 'True' : phase === 'Unknown' ? 'Unknown' : 'False' }],
      containerStatuses: containers.map((c) => ({
        name: c.name,
        image: c.image ?? '',
        imageID: '',
        ready: running,
        restartCount: p.restarts?.[c.name] ?? 0,
        started: running,
        state: running ? { running: {} } : waiting ? { waiting } : {},
      })),
    },
  };
}
