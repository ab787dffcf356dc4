// A validated Pod / Deployment as IoT Edge modules: one container, one module.
// The mapping table is docs/kubernetes-translation.md.
import { type FieldIssue, toPointer } from '../../../errors';
import { PROPERTY_NAME } from '../conditionSyntax';
import { DEFAULT_EDGE_AGENT_IMAGE, DEFAULT_EDGE_HUB_CREATE_OPTIONS, DEFAULT_EDGE_HUB_IMAGE, DEFAULT_ROUTES, DEFAULT_SCHEMA_VERSION, type ModuleInput, type RestartPolicy } from '../edgeContent';
import type { ManifestTranslation } from '../manifestForm';
import { selectorToCondition } from '../selector';
import { allOf, type TargetCondition, targetCondition } from '../targetCondition';
import { cpuShares, memoryBytes, nanoCpus } from './quantity';
import type { Container, KubernetesDeployment, KubernetesPod, PodSpec } from './schema';

const HOSTNAME_LABEL = 'kubernetes.io/hostname';
const SECOND_NS = 1e9;

export type KubernetesObject = KubernetesPod | KubernetesDeployment;

export function podSpecOf(doc: KubernetesObject): { spec: PodSpec; path: string[] } {
  return doc.kind === 'Pod' ? { spec: doc.spec, path: ['spec'] } : { spec: doc.spec.template.spec, path: ['spec', 'template', 'spec'] };
}

/** Module restart policy: k8s restarts on failed liveness too, which IoT Edge calls on-unhealthy. */
function restartPolicy(pod: PodSpec['restartPolicy'], c: Container): RestartPolicy {
  if (pod === 'Never') return 'never';
  if (pod === 'OnFailure') return c.livenessProbe ? 'on-unhealthy' : 'on-failure';
  return 'always';
}

function createOptions(c: Container, pod: PodSpec): Record<string, unknown> | undefined {
  const host: Record<string, unknown> = {};
  const config: Record<string, unknown> = {};
  if (c.command) config.Entrypoint = c.command;
  if (c.args) config.Cmd = c.args;
  if (c.workingDir) config.WorkingDir = c.workingDir;
  if (c.stdin !== undefined) config.OpenStdin = c.stdin;
  if (c.tty !== undefined) config.Tty = c.tty;
  if (pod.terminationGracePeriodSeconds !== undefined) config.StopTimeout = pod.terminationGracePeriodSeconds;
  const sc = c.securityContext;
  if (sc?.runAsUser !== undefined) config.User = sc.runAsGroup === undefined ? String(sc.runAsUser) : `${sc.runAsUser}:${sc.runAsGroup}`;
  if (sc?.privileged !== undefined) host.Privileged = sc.privileged;
  if (sc?.readOnlyRootFilesystem !== undefined) host.ReadonlyRootfs = sc.readOnlyRootFilesystem;
  if (sc?.capabilities?.add) host.CapAdd = sc.capabilities.add;
  if (sc?.capabilities?.drop) host.CapDrop = sc.capabilities.drop;
  if (c.ports?.length) {
    const exposed: Record<string, object> = {};
    const bindings: Record<string, { HostPort: string; HostIp?: string }[]> = {};
    for (const p of c.ports) {
      const key = `${p.containerPort}/${(p.protocol ?? 'TCP').toLowerCase()}`;
      exposed[key] = {};
      if (p.hostPort !== undefined) (bindings[key] ??= []).push({ HostPort: String(p.hostPort), ...(p.hostIP ? { HostIp: p.hostIP } : {}) });
    }
    config.ExposedPorts = exposed;
    if (Object.keys(bindings).length) host.PortBindings = bindings;
  }
  const { limits, requests } = c.resources ?? {};
  if (limits?.memory !== undefined) host.Memory = memoryBytes(limits.memory);
  if (limits?.cpu !== undefined) host.NanoCpus = nanoCpus(limits.cpu);
  if (requests?.memory !== undefined) host.MemoryReservation = memoryBytes(requests.memory);
  if (requests?.cpu !== undefined) host.CpuShares = cpuShares(requests.cpu);
  if (c.volumeMounts?.length) {
    const hostPaths = new Map((pod.volumes ?? []).map((v) => [v.name, v.hostPath.path]));
    host.Binds = c.volumeMounts.map((m) => `${hostPaths.get(m.name) ?? ''}:${m.mountPath}${m.readOnly ? ':ro' : ''}`);
  }
  if (pod.hostNetwork) host.NetworkMode = 'host';
  if (pod.hostPID) host.PidMode = 'host';
  if (pod.hostIPC) host.IpcMode = 'host';
  const probe = c.livenessProbe;
  if (probe) {
    config.Healthcheck = {
      Test: ['CMD', ...probe.exec.command],
      Interval: (probe.periodSeconds ?? 10) * SECOND_NS,
      Timeout: (probe.timeoutSeconds ?? 1) * SECOND_NS,
      Retries: probe.failureThreshold ?? 3,
      StartPeriod: (probe.initialDelaySeconds ?? 0) * SECOND_NS,
    };
  }
  if (Object.keys(host).length) config.HostConfig = host;
  return Object.keys(config).length ? config : undefined;
}

function moduleOf(c: Container, pod: PodSpec, stopped: boolean): ModuleInput {
  return {
    image: c.image,
    status: stopped ? 'stopped' : 'running',
    restartPolicy: restartPolicy(pod.restartPolicy, c),
    // IoT Edge pulls when it creates a module; Always and IfNotPresent both become on-create.
    imagePullPolicy: c.imagePullPolicy === 'Never' ? 'never' : c.imagePullPolicy === undefined ? undefined : 'on-create',
    env: c.env && Object.fromEntries(c.env.map((e) => [e.name, e.value ?? ''])),
    createOptions: createOptions(c, pod),
  };
}

/** nodeSelector labels as device tags; the hostname label names one device. */
export function nodeSelectorCondition(
  selector: Readonly<Record<string, string>> | undefined,
  pointer: string,
): { condition?: TargetCondition; issues: FieldIssue[] } {
  const issues: FieldIssue[] = [];
  const tags: Record<string, string> = {};
  const parts: TargetCondition[] = [];
  for (const [key, value] of Object.entries(selector ?? {})) {
    if (key === HOSTNAME_LABEL) parts.push(targetCondition`deviceId=${value}`);
    else if (key.split('.').every((s) => PROPERTY_NAME.test(s))) tags[key] = value;
    else {
      issues.push({
        pointer: toPointer([key], pointer),
        detail: `'${key}' is not a device tag name (letters, digits, '_', dotted paths); only ${HOSTNAME_LABEL} is understood among prefixed labels`,
        code: 'unsupported_field',
      });
    }
  }
  if (Object.keys(tags).length) parts.unshift(selectorToCondition(tags));
  const [first, ...rest] = parts;
  return { ...(first ? { condition: allOf(first, ...rest) } : {}), issues };
}

export function translateKubernetes(doc: KubernetesObject, prefix: string): { translation: ManifestTranslation } | { issues: FieldIssue[] } {
  const { spec, path } = podSpecOf(doc);
  const specPointer = toPointer(path, prefix);
  const stopped = doc.kind === 'Deployment' && doc.spec.replicas === 0;
  const selector = nodeSelectorCondition(spec.nodeSelector, `${specPointer}/nodeSelector`);
  if (selector.issues.length) return { issues: selector.issues };
  const index = new Map(spec.containers.map((c, i) => [c.name, i]));
  return {
    translation: {
      parts: {
        schemaVersion: DEFAULT_SCHEMA_VERSION,
        edgeAgent: { image: DEFAULT_EDGE_AGENT_IMAGE },
        edgeHub: { image: DEFAULT_EDGE_HUB_IMAGE, createOptions: DEFAULT_EDGE_HUB_CREATE_OPTIONS },
        modules: Object.fromEntries(spec.containers.map((c) => [c.name, moduleOf(c, spec, stopped)])),
        routes: DEFAULT_ROUTES,
      },
      credentials: (spec.imagePullSecrets ?? []).map((s, i) => ({ name: s.name, pointer: `${specPointer}/imagePullSecrets/${i}/name` })),
      updatePolicies: {},
      condition: selector.condition,
      locate: ([twin, , section, name]) =>
        twin === '$edgeAgent' && section === 'modules' && name !== undefined && index.has(name)
          ? `${specPointer}/containers/${index.get(name)}`
          : `${specPointer}/containers`,
    },
  };
}
