// Registry-driven updates change one module's image. The new revision's spec
// must say so in the form the user wrote (compact, modulesContent or Kubernetes,
// YAML comments kept), so a later GET or PATCH sees the image that runs.
import { parseDocument } from 'yaml';
import { notFound } from '../../errors';
import { isPlainObject } from './canonicalJson';
import type { DeploymentSpec } from './deploymentSpec';
import { contentModules, type ModulesContent } from './edgeContent';
import { fail, ok, type Result } from './result';

/** Image of every user module in canonical content, by module name. */
export function moduleImages(content: ModulesContent): Record<string, string> {
  return Object.fromEntries(
    Object.entries(contentModules(content)).map(([name, m]) => {
      const image = (m.settings as { image?: unknown } | undefined)?.image;
      return [name, typeof image === 'string' ? image : ''];
    }),
  );
}

export function withModuleImage(spec: DeploymentSpec, module: string, image: string): Result<DeploymentSpec> {
  const manifest = structuredClone(spec.manifest) as Record<string, unknown>;
  const missing = fail<DeploymentSpec>(notFound(`Module '${module}'`, 'ModuleNotFound'));
  if ('modules' in manifest && isPlainObject(manifest.modules)) {
    const m = manifest.modules[module];
    if (!isPlainObject(m)) return missing;
    m.image = image;
  } else if ('modulesContent' in manifest) {
    const content = manifest.modulesContent as ModulesContent;
    const m = contentModules(content)[module] as { settings?: { image?: string } } | undefined;
    if (!m?.settings) return missing;
    m.settings.image = image;
  } else if (typeof manifest.kubernetes === 'string') {
    const doc = parseDocument(manifest.kubernetes);
    const path = containerPath(doc.toJS() as unknown, module);
    if (!path) return missing;
    doc.setIn([...path, 'image'], image);
    manifest.kubernetes = doc.toString();
  } else {
    const path = containerPath(manifest.kubernetes, module);
    const container = path?.reduce<unknown>((node, key) => (node as Record<string | number, unknown>)[key], manifest.kubernetes);
    if (!isPlainObject(container)) return missing;
    container.image = image;
  }
  return ok({ ...spec, manifest: manifest as DeploymentSpec['manifest'] });
}

function containerPath(doc: unknown, module: string): (string | number)[] | undefined {
  if (!isPlainObject(doc) || !isPlainObject(doc.spec)) return undefined;
  const podPath = doc.kind === 'Deployment' ? ['spec', 'template', 'spec'] : ['spec'];
  const pod = podPath.reduce<unknown>((node, key) => (isPlainObject(node) ? node[key] : undefined), doc);
  const containers = isPlainObject(pod) && Array.isArray(pod.containers) ? (pod.containers as unknown[]) : [];
  const index = containers.findIndex((c) => isPlainObject(c) && c.name === module);
  return index < 0 ? undefined : [...podPath, 'containers', index];
}
