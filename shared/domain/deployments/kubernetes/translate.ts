// A validated Pod / Deployment as IoT Edge modules: one container, one module.
// The mapping table is docs/kubernetes-translation.md.
import { type FieldIssue, toPointer } from '../../../errors';
import { isPlainObject } from '../canonicalJson';
import { PROPERTY_NAME } from '../conditionSyntax';
import { createOptionsProblem } from '../createOptions';
import { DEFAULT_EDGE_AGENT_IMAGE, DEFAULT_EDGE_HUB_CREATE_OPTIONS, DEFAULT_EDGE_HUB_IMAGE, DEFAULT_ROUTES, DEFAULT_SCHEMA_VERSION, type ModuleInput, type RestartPolicy } from '../edgeContent';
import type { ManifestTranslation } from '../manifestForm';
import { restartPolicySchema, type Route, routesSchema, statusSchema } from '../moduleFields';
import { selectorToCondition } from '../selector';
import { allOf, parseTargetCondition, type TargetCondition, targetCondition } from '../targetCondition';
import type { DeploymentWarning } from '../warnings';
import { isHubLabel } from './hubLabels';
import { type ConfigMapDoc, isVirtualKubeletEdge, VK, VK_NODE_SELECTOR, workloadAnnotations } from './virtualKubelet';
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
    if (isHubLabel(key)) continue; // chooses hubs (hubLabels.ts), read by kubernetesRequest
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

export interface KubernetesTranslation {
  readonly translation: ManifestTranslation;
  /** Pointers of the ConfigMap documents the translation read (virtual-kubelet conventions). */
  readonly usedConfigMaps: readonly string[];
  /** The virtual-kubelet `priority` annotation, when the workload has one. */
  readonly priority?: { readonly value: number; readonly pointer: string } | undefined;
}

export function translateKubernetes(
  doc: KubernetesObject,
  prefix: string,
  options: { readonly configMaps?: readonly ConfigMapDoc[]; readonly warnings?: readonly DeploymentWarning[] } = {},
): KubernetesTranslation | { issues: FieldIssue[] } {
  const { spec, path } = podSpecOf(doc);
  const specPointer = toPointer(path, prefix);
  const stopped = doc.kind === 'Deployment' && doc.spec.replicas === 0;
  const warnings: DeploymentWarning[] = [...(options.warnings ?? [])];
  const issues: FieldIssue[] = [];
  const annotations = workloadAnnotations(doc, prefix);
  const vk = isVirtualKubeletEdge(annotations);

  let nodeSelector = spec.nodeSelector;
  if (vk && nodeSelector?.[VK_NODE_SELECTOR.key] === VK_NODE_SELECTOR.value) {
    // The provider's own scheduling hint onto its virtual node, not a device tag.
    const { [VK_NODE_SELECTOR.key]: _hint, ...rest } = nodeSelector;
    nodeSelector = rest;
    warnings.push({ code: 'dropped_field', pointer: `${specPointer}/nodeSelector/${VK_NODE_SELECTOR.key}`, detail: "'type: virtual-kubelet' only scheduled the pod onto the virtual-kubelet node; devices are chosen by the targetCondition" });
  }
  const selector = nodeSelectorCondition(nodeSelector, `${specPointer}/nodeSelector`);
  issues.push(...selector.issues);
  const conditions: TargetCondition[] = selector.condition ? [selector.condition] : [];
  const vkCondition = annotations.get(VK.targetCondition);
  if (vkCondition) {
    const parsed = parseTargetCondition(vkCondition.value, vkCondition.pointer);
    if (parsed.ok) conditions.push(parsed.value);
    else issues.push(...parsed.error.issues.map((i) => ({ ...i, pointer: vkCondition.pointer })));
  }
  let priority: KubernetesTranslation['priority'];
  const vkPriority = annotations.get(VK.priority);
  if (vkPriority) {
    const n = Number(vkPriority.value);
    if (Number.isInteger(n) && n > 0 && n <= 2147483647) priority = { value: n, pointer: vkPriority.pointer };
    else issues.push({ pointer: vkPriority.pointer, detail: 'must be a positive integer (IoT Hub priority)', code: 'invalid_priority' });
  }

  const modules = Object.fromEntries(spec.containers.map((c) => [c.name, moduleOf(c, spec, stopped)]));
  const twins: Record<string, Record<string, unknown>> = {};
  let routes: Record<string, Route> = DEFAULT_ROUTES;
  let storeAndForward: number | undefined;
  let edgeHubEnv: Record<string, string | number | boolean> | undefined;
  const used: string[] = [];
  if (vk) {
    for (const cm of options.configMaps ?? []) {
      const at = (key: string) => toPointer(['data', key], cm.pointer);
      const json = (key: string): Record<string, unknown> | undefined => {
        const text = cm.data[key];
        if (text === undefined) return undefined;
        try {
          const value = JSON.parse(text) as unknown;
          if (isPlainObject(value)) return value;
        } catch {
          /* reported below */
        }
        issues.push({ pointer: at(key), detail: 'must be a JSON object (the provider parsed it as JSON)', code: 'invalid_json' });
        return undefined;
      };
      const module = modules[cm.name];
      if (module) {
        used.push(cm.pointer);
        const over: { -readonly [K in keyof ModuleInput]?: ModuleInput[K] } = {};
        if (cm.data.status !== undefined) {
          const v = statusSchema.safeParse(cm.data.status);
          if (v.success) over.status = v.data;
          else issues.push({ pointer: at('status'), detail: 'must be running or stopped', code: 'invalid_value' });
        }
        if (cm.data.restartPolicy !== undefined) {
          const v = restartPolicySchema.safeParse(cm.data.restartPolicy);
          if (v.success) over.restartPolicy = v.data;
          else issues.push({ pointer: at('restartPolicy'), detail: 'must be never, on-failure, on-unhealthy or always', code: 'invalid_value' });
        }
        if (cm.data.version !== undefined) over.version = cm.data.version;
        if (cm.data.createOptions !== undefined) {
          const problem = createOptionsProblem(cm.data.createOptions);
          if (problem) issues.push({ pointer: at('createOptions'), detail: `createOptions ${problem}`, code: 'invalid_create_options' });
          else over.createOptions = cm.data.createOptions;
        }
        modules[cm.name] = { ...module, ...over };
        const desired = json('desiredProperties');
        if (desired) twins[cm.name] = desired;
      } else if (cm.name === 'edgehub') {
        used.push(cm.pointer);
        const desired = json('desiredProperties');
        if (desired?.routes !== undefined) {
          const r = routesSchema.safeParse(desired.routes);
          if (r.success) routes = r.data;
          else issues.push({ pointer: at('desiredProperties'), detail: `routes ${r.error.issues[0]?.message ?? 'are not valid'}`, code: 'invalid_routes' });
        }
        const ttl = (desired?.storeAndForwardConfiguration as { timeToLiveSecs?: unknown } | undefined)?.timeToLiveSecs;
        if (typeof ttl === 'number' && Number.isInteger(ttl) && ttl >= 0) storeAndForward = ttl;
      } else if (cm.name === 'edgeagent') {
        used.push(cm.pointer);
        const desired = json('desiredProperties');
        const settings = (desired?.runtime as { settings?: Record<string, unknown> } | undefined)?.settings;
        if (settings?.registryCredentials !== undefined) {
          issues.push({ pointer: at('desiredProperties'), detail: 'registry credentials in a ConfigMap would be stored as its text; name them in imagePullSecrets (REGISTRY_CREDENTIALS) instead', code: 'credentials_in_config_map' });
        }
        const env = ((desired?.systemModules as Record<string, { env?: Record<string, { value?: unknown }> }> | undefined)?.edgeHub)?.env;
        if (env) edgeHubEnv = Object.fromEntries(Object.entries(env).map(([k, v]) => [k, typeof v?.value === 'number' || typeof v?.value === 'boolean' ? v.value : typeof v?.value === 'string' ? v.value : JSON.stringify(v?.value ?? '')]));
      }
    }
  }
  if (issues.length) return { issues };
  const [first, ...rest] = conditions;
  const loggingOptions = annotations.get(VK.loggingOptions)?.value;
  const index = new Map(spec.containers.map((c, i) => [c.name, i]));
  return {
    usedConfigMaps: used,
    priority,
    translation: {
      parts: {
        schemaVersion: DEFAULT_SCHEMA_VERSION,
        ...(loggingOptions ? { loggingOptions } : {}),
        edgeAgent: { image: DEFAULT_EDGE_AGENT_IMAGE },
        edgeHub: { image: DEFAULT_EDGE_HUB_IMAGE, createOptions: DEFAULT_EDGE_HUB_CREATE_OPTIONS, ...(edgeHubEnv ? { env: edgeHubEnv } : {}) },
        modules,
        routes,
        storeAndForwardTimeToLiveSecs: storeAndForward,
        twins,
      },
      credentials: (spec.imagePullSecrets ?? []).map((s, i) => ({ name: s.name, pointer: `${specPointer}/imagePullSecrets/${i}/name` })),
      updatePolicies: {},
      condition: first ? allOf(first, ...rest) : undefined,
      warnings,
      locate: ([twin, , section, name]) =>
        twin === '$edgeAgent' && section === 'modules' && name !== undefined && index.has(name)
          ? `${specPointer}/containers/${index.get(name)}`
          : `${specPointer}/containers`,
    },
  };
}
