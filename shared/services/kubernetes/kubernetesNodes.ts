// Every configured hub as a v1 Node (docs/kubernetes-api.md), as the
// virtual-kubelet provider showed one: labelled with its region, name and
// own labels (so a nodeSelector on them picks the hub, see
// domain/deployments/kubernetes/hubLabels.ts), Ready from the reconciler's
// last reachability check, capacity from its device counts (nodeResources).
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
      ...nodeResources(status),
      nodeInfo: { kubeletVersion: 'v1.32.0-edge-fleet', operatingSystem: 'linux', architecture: 'amd64', containerRuntimeVersion: 'iotedge://1.5', kernelVersion: '', osImage: 'Azure IoT Hub', kubeProxyVersion: '', machineID: '', systemUUID: '', bootID: '' },
      addresses: [{ type: 'Hostname', address: hub.name }],
    },
  };
}

/** IoT Hub's limit of configurations (automatic deployments and layers) per hub. */
const MAX_CONFIGURATIONS = 100;
const DEVICES = 'edge-fleet.dev/devices';
const CONFIGURATIONS = 'edge-fleet.dev/configurations';

/**
 * What the hub offers, from its own counts: a Pod is one device running one
 * deployment, so `pods` is the hub's edge devices (allocatable: the connected
 * ones, which can take a change now); `edge-fleet.dev/configurations` is the
 * IoT Hub limit of 100 and what the last pass left of it. Before the first
 * count the device figures are absent rather than a made-up number.
 */
export function nodeResources(status: HubStatus | undefined): { capacity: Record<string, string>; allocatable: Record<string, string> } {
  const devices = status?.edgeDevices;
  const configurations = { capacity: String(MAX_CONFIGURATIONS), allocatable: String(Math.max(0, MAX_CONFIGURATIONS - (status?.configurationCount ?? 0))) };
  return {
    capacity: { ...(devices ? { pods: String(devices.total), [DEVICES]: String(devices.total) } : {}), [CONFIGURATIONS]: configurations.capacity },
    allocatable: { ...(devices ? { pods: String(devices.connected), [DEVICES]: String(devices.connected) } : {}), [CONFIGURATIONS]: configurations.allocatable },
  };
}
