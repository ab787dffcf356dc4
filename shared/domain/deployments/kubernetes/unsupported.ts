// Why a Kubernetes field has no IoT Edge meaning (it is dropped with a warning
// saying so, see lenient.ts), and how the remaining refusals are reported: zod
// reports issues on the parent object; these are split per key so each pointer
// names the field itself.
import type { z } from 'zod';
import { type FieldIssue, toPointer } from '../../../errors';

export const REASONS: Record<string, string> = {
  valueFrom: 'values from secrets, config maps or the downward API cannot be resolved on a device; use a literal value',
  envFrom: 'config maps and secrets do not exist on a device; list literal env values',
  initContainers: 'IoT Edge has no init modules; order modules with startupOrder (compact form) instead',
  ephemeralContainers: 'IoT Edge has no ephemeral containers',
  readinessProbe: 'IoT Edge has no readiness gating; only an exec livenessProbe maps (to a Docker healthcheck)',
  startupProbe: 'IoT Edge has no startup probes; only an exec livenessProbe maps (to a Docker healthcheck)',
  httpGet: 'only exec probes map to a Docker healthcheck (the image may have no HTTP client); use exec',
  tcpSocket: 'only exec probes map to a Docker healthcheck; use exec',
  grpc: 'only exec probes map to a Docker healthcheck; use exec',
  configMap: 'config maps do not exist on a device; use a hostPath volume or module twin desired properties',
  secret: 'Kubernetes secrets do not exist on a device; use a hostPath volume provisioned on the device',
  emptyDir: 'emptyDir has no device equivalent with the same lifetime; use a hostPath volume',
  persistentVolumeClaim: 'there are no persistent volume claims on a device; use a hostPath volume',
  projected: 'projected volumes do not exist on a device; use a hostPath volume',
  downwardAPI: 'the downward API does not exist on a device',
  subPath: 'Docker binds mount whole paths; point hostPath at the sub directory instead',
  subPathExpr: 'Docker binds mount whole paths; point hostPath at the sub directory instead',
  mountPropagation: 'mount propagation is not translated',
  lifecycle: 'edgeAgent runs no postStart/preStop hooks',
  affinity: 'target devices with nodeSelector (device tags) instead',
  tolerations: 'devices have no taints; target them with nodeSelector',
  serviceAccountName: 'modules authenticate with their IoT Hub module identity, not a service account',
  serviceAccount: 'modules authenticate with their IoT Hub module identity, not a service account',
  sidecars: 'IoT Edge has no sidecars; add another container (module)',
  volumeMounts: 'the volume it mounts was dropped',
  env: 'the value comes from the cluster',
  replicas: 'each targeted device runs one instance of every module: scale by targeting more devices (0 still means stopped)',
  strategy: 'edgeAgent replaces a module in place (Recreate); fleet rollouts are paced by waves (rollout)',
  resources: 'only cpu and memory map to Docker limits',
  nodeName: "target one device with nodeSelector {'kubernetes.io/hostname': <deviceId>}",
  priorityClassName: 'deployment priority is set on the deployment request, not per pod',
  minReadySeconds: 'readiness soak is part of the rollout policy, not the manifest',
  progressDeadlineSeconds: 'deadlines are part of the rollout policy, not the manifest',
  paused: 'pause the rollout through the deployments API instead',
  rollingUpdate: 'edgeAgent replaces a module in place (Recreate); fleet rollouts are paced by waves',
  securityContext: 'a pod-level securityContext is not translated; set securityContext on each container',
};

export const GENERIC = 'has no IoT Edge equivalent';

export function kubernetesIssues(error: z.ZodError, prefix: string): FieldIssue[] {
  // An object with configMap instead of hostPath also misses hostPath; the refused key is the whole story.
  const refusedIn = new Set(error.issues.filter((i) => i.code === 'unrecognized_keys').map((i) => toPointer(i.path)));
  const noise = (i: z.core.$ZodIssue) => i.code === 'invalid_type' && /received undefined/.test(i.message) && refusedIn.has(toPointer(i.path.slice(0, -1)));
  return error.issues.filter((i) => !noise(i)).flatMap((issue): FieldIssue[] => {
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({
        pointer: toPointer([...issue.path, key], prefix),
        detail: `'${key}' ${REASONS[key] ? `is not supported: ${REASONS[key]}` : GENERIC}`,
        code: 'unsupported_field',
      }));
    }
    return [{ pointer: toPointer(issue.path, prefix), detail: issue.message, code: issue.code }];
  });
}
