// Kubernetes input as people write it: fields with no IoT Edge meaning
// (affinity, tolerations, readiness probes, Service-style volumes, values from
// secrets, replicas above one, rolling-update settings) are dropped, each with a
// warning that names it and says why, never silently. What is left must be read
// exactly (schema.ts); anything malformed there is still a 400.
import type { z } from 'zod';
import { toPointer } from '../../../errors';
import { isPlainObject } from '../canonicalJson';
import type { DeploymentWarning } from '../warnings';
import { GENERIC, REASONS } from './unsupported';

type Obj = Record<string, unknown>;
const RESOURCE_NAMES = new Set(['cpu', 'memory']);
const MAX_PASSES = 12;

const reason = (key: string) => REASONS[key] ?? GENERIC;
const dropped = (pointer: string, key: string, why = reason(key)): DeploymentWarning => ({ code: 'dropped_field', pointer, detail: `'${key}' was dropped: ${why}` });

/** A copy of `doc` holding only what `schema` reads, and a warning per dropped field. */
export function stripUnsupported(doc: Obj, schema: z.ZodType, prefix: string): { value: Obj; warnings: DeploymentWarning[] } {
  const value = structuredClone(doc);
  const warnings: DeploymentWarning[] = [];
  const podPath = value.kind === 'Deployment' ? ['spec', 'template', 'spec'] : ['spec'];
  if (value.kind === 'Deployment' && isPlainObject(value.spec)) dropDeploymentFields(value.spec, toPointer(['spec'], prefix), warnings);
  const pod = podPath.reduce<unknown>((node, key) => (isPlainObject(node) ? node[key] : undefined), value);
  if (isPlainObject(pod)) dropPodFields(pod, toPointer(podPath, prefix), warnings);

  // Unknown keys anywhere: drop them and read again (a dropped object may hide more).
  for (let pass = 0; pass < MAX_PASSES; pass++) {
    const parsed = schema.safeParse(value);
    if (parsed.success) break;
    const unknown = parsed.error.issues.filter((i) => i.code === 'unrecognized_keys');
    if (!unknown.length) break;
    for (const issue of unknown) {
      const parent = issue.path.reduce<unknown>((node, key) => (isPlainObject(node) || Array.isArray(node) ? (node as Obj)[key as string] : undefined), value);
      if (!isPlainObject(parent)) continue;
      for (const key of (issue as { keys: string[] }).keys) {
        delete parent[key];
        warnings.push(dropped(toPointer([...issue.path, key], prefix), key));
      }
    }
  }
  return { value, warnings };
}

function dropDeploymentFields(spec: Obj, pointer: string, warnings: DeploymentWarning[]): void {
  if (typeof spec.replicas === 'number' && spec.replicas > 1) {
    warnings.push(dropped(`${pointer}/replicas`, 'replicas', `${reason('replicas')}; ${spec.replicas} replicas run as one module per device`));
    delete spec.replicas;
  }
  if (isPlainObject(spec.strategy) && spec.strategy.type !== 'Recreate') {
    warnings.push(dropped(`${pointer}/strategy`, 'strategy'));
    delete spec.strategy;
  }
}

function dropPodFields(pod: Obj, pointer: string, warnings: DeploymentWarning[]): void {
  const goneVolumes = new Set<string>();
  if (Array.isArray(pod.volumes)) {
    pod.volumes = pod.volumes.filter((v: unknown, i) => {
      if (!isPlainObject(v) || isPlainObject(v.hostPath)) return true;
      const type = Object.keys(v).find((k) => k !== 'name') ?? 'volume';
      warnings.push(dropped(`${pointer}/volumes/${i}`, type, `volume '${String(v.name)}' is a ${type}: ${reason(type)}`));
      goneVolumes.add(String(v.name));
      return false;
    });
  }
  const containers = Array.isArray(pod.containers) ? pod.containers : [];
  containers.forEach((c: unknown, i) => {
    if (!isPlainObject(c)) return;
    const at = `${pointer}/containers/${i}`;
    if (Array.isArray(c.volumeMounts)) {
      c.volumeMounts = c.volumeMounts.filter((m: unknown, j) => {
        if (!isPlainObject(m) || !goneVolumes.has(String(m.name))) return true;
        warnings.push(dropped(`${at}/volumeMounts/${j}`, 'volumeMounts', `the mount of volume '${String(m.name)}' at ${String(m.mountPath)} goes with its volume`));
        return false;
      });
    }
    if (Array.isArray(c.env)) {
      c.env = c.env.filter((e: unknown, j) => {
        if (!isPlainObject(e) || !('valueFrom' in e)) return true;
        warnings.push(dropped(`${at}/env/${j}`, 'valueFrom', `env '${String(e.name)}' is not set: ${reason('valueFrom')}`));
        return false;
      });
    }
    if (isPlainObject(c.livenessProbe) && !isPlainObject(c.livenessProbe.exec)) {
      const kind = Object.keys(c.livenessProbe).find((k) => k in REASONS) ?? 'livenessProbe';
      warnings.push(dropped(`${at}/livenessProbe`, 'livenessProbe', reason(kind)));
      delete c.livenessProbe;
    }
    if (isPlainObject(c.resources)) {
      for (const side of ['limits', 'requests']) {
        const list = c.resources[side];
        if (!isPlainObject(list)) continue;
        for (const name of Object.keys(list).filter((n) => !RESOURCE_NAMES.has(n))) {
          warnings.push(dropped(`${at}/resources/${side}/${name.replace(/~/g, '~0').replace(/\//g, '~1')}`, name, reason('resources')));
          delete list[name];
        }
      }
    }
  });
}
