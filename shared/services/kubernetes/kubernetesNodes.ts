// Every configured hub as a v1 Node (docs/kubernetes-api.md), as the
// virtual-kubelet provider showed one: labelled with its region, name and
// own labels (so a nodeSelector on them picks the hub, see
// domain/deployments/kubernetes/hubLabels.ts), Ready from the reconciler's
// last reachability check.
import type { HubSetting } from '../../config/settings';
import { HUB_LABEL, HUB_LABEL_PREFIX, REGION_LABEL } from '../../domain/deployments/kubernetes/hubLabels';
import { k8sTime, uidOf } from '../../domain/kubernetes/deploymentObject';
import type { HubStatus } from '../hubs/hubStatusStore';

export function hubNode(hub: Pick<HubSetting, 'name' | 'region' | 'labels'>, status: HubStatus | undefined, startedAt: string): Record<string, unknown> {
  const ready = status === undefined ? 'Unknown' : status.reachable ? 'True' : 'False';
  const checked = k8sTime(status?.checkedAt ?? startedAt);
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name: hub.name,
      uid: uidOf(`node/${hub.name}`, startedAt),
      resourceVersion: String(Date.parse(status?.checkedAt ?? startedAt)),
      creationTimestamp: k8sTime(startedAt),
      labels: {
        [REGION_LABEL]: hub.region,
        [HUB_LABEL]: hub.name,
        'kubernetes.io/role': 'iot-hub',
        'type': 'virtual-kubelet',
        ...Object.fromEntries(Object.entries(hub.labels).map(([k, v]) => [`${HUB_LABEL_PREFIX}${k}`, v])),
      },
    },
    spec: { taints: [{ key: 'azure.com/iotedge', effect: 'NoSchedule' }] },
    status: {
      conditions: [
        {
          type: 'Ready',
          status: ready,
          reason: status === undefined ? 'NotChecked' : status.reachable ? 'HubReachable' : 'HubUnreachable',
          message: status === undefined ? 'no reconcile pass has checked this hub yet' : status.reachable ? 'the hub answered the last reconcile pass' : `the hub did not answer: ${status.lastError ?? 'unreachable'}`,
          lastHeartbeatTime: k8sTime(status?.lastContactAt ?? checked),
          lastTransitionTime: checked,
        },
      ],
      // A hub holds at most 100 configurations (IoT Hub limit): what the reconciler counted is what is used of it.
      capacity: { pods: '100' },
      allocatable: { pods: String(Math.max(0, 100 - (status?.configurationCount ?? 0))) },
      nodeInfo: { kubeletVersion: 'v1.32.0-edge-fleet', operatingSystem: 'linux', architecture: 'amd64', containerRuntimeVersion: 'iotedge://1.5', kernelVersion: '', osImage: 'Azure IoT Hub', kubeProxyVersion: '', machineID: '', systemUUID: '', bootID: '' },
      addresses: [{ type: 'Hostname', address: hub.name }],
    },
  };
}
