// Real domain revisions for tests of the store, fan-out and reconciler: built
// through the same parser the HTTP API uses, from a small compact manifest.
import { parseDeploymentRequest } from '../../shared/domain/deployments/parseDeploymentRequest';
import { createRevision, type RevisionCause } from '../../shared/domain/deployments/revision';
import type { NewRevision, RevisionRecord } from '../../shared/services/deployments/deploymentStore';
import { toConfiguration } from '../../shared/domain/deployments/configuration';
import { configurationFor } from '../../shared/services/deployments/configurationFor';
import { TEST_INSTALLATION } from './memoryHub';

export interface RevisionOptions {
  readonly image?: string;
  readonly labels?: Record<string, string>;
  readonly priority?: number;
  readonly condition?: string;
  readonly env?: Record<string, string>;
  readonly hubSelector?: { names?: string[]; regions?: string[]; labels?: Record<string, string> };
  readonly cause?: RevisionCause;
}

export function deploymentBody(id: string, options: RevisionOptions = {}) {
  return {
    id,
    labels: options.labels ?? {},
    priority: options.priority ?? 10,
    target: { condition: options.condition ?? "tags.env='prod'" },
    ...(options.hubSelector ? { hubSelector: options.hubSelector } : {}),
    manifest: { modules: { web: { image: options.image ?? 'nginx:1.25', ...(options.env ? { env: options.env } : {}) } } },
  };
}

export function storedRevision(id: string, number: number, hubs: readonly string[], options: RevisionOptions = {}): RevisionRecord {
  const parsed = parseDeploymentRequest(deploymentBody(id, options), 'application/json', { registryCredentialNames: [] });
  if (!parsed.ok) throw parsed.error;
  const revision = createRevision({
    number,
    spec: parsed.value.spec,
    normalized: parsed.value.normalized,
    createdAt: new Date(Date.UTC(2026, 10, 24, 12, number)),
    cause: options.cause ?? { kind: number === 1 ? 'create' : 'update' },
  });
  return { ...revision, deploymentId: id, hubs };
}

export function newRevision(id: string, number: number, hubs: readonly string[], options: RevisionOptions = {}): NewRevision {
  return { labels: options.labels ?? {}, hubs, revision: storedRevision(id, number, hubs, options) };
}

/** The configuration a stored revision becomes (no registry credentials in tests). */
export const buildConfiguration = configurationFor({}, TEST_INSTALLATION);

export function configurationOf(revision: RevisionRecord) {
  const built = toConfiguration(revision.deploymentId, revision, { registryCredentials: {}, installationId: TEST_INSTALLATION });
  if (!built.ok) throw built.error;
  return built.value;
}
