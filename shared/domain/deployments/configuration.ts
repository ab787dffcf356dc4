// The IoT Hub configuration object for one revision. It is the same for every
// hub (credentials come from app-wide settings or the deployment's sealed
// secrets), which is what lets "create an existing configuration" be checked by
// comparing content.
import type { RegistryCredential } from '../../config/settings';
import { AppError } from '../../errors';
import { canonicalize } from './canonicalJson';
import { configurationId, DEPLOYMENT_LABEL, INSTALLATION_LABEL, MANAGED_BY_LABEL, MANAGED_BY_VALUE, REVISION_LABEL } from './configurationId';
import type { ModulesContent } from './edgeContent';
import { AGENT_CREDENTIALS } from './layered';
import { fail, ok, type Result } from './result';
import type { Revision } from './revision';
import { allOf, parseTargetCondition, type TargetCondition } from './targetCondition';

export interface IotHubConfiguration {
  readonly id: string;
  readonly content: { readonly modulesContent: ModulesContent };
  readonly targetCondition: string;
  readonly priority: number;
  readonly labels: Readonly<Record<string, string>>;
  /** Custom metric queries (updatable in place, like targetCondition). */
  readonly metrics?: { readonly queries: Readonly<Record<string, string>> };
}

export interface ConfigurationOptions {
  /** REGISTRY_CREDENTIALS from settings; only the names the revision references are used. */
  readonly registryCredentials: Readonly<Record<string, RegistryCredential>>;
  /** The deployment's own (inline) registry credentials, opened from its sealed secrets. */
  readonly inlineCredentials?: Readonly<Record<string, RegistryCredential>>;
  /** A rollout wave's narrowing (e.g. tags.ring='canary'), ANDed with the revision's condition. */
  readonly narrowTo?: TargetCondition | undefined;
  /** INSTALLATION_ID: the configuration is labelled with it, so garbage collection knows its own. */
  readonly installationId: string;
}

export function toConfiguration(deploymentId: string, revision: Revision, options: ConfigurationOptions): Result<IotHubConfiguration> {
  const inline = revision.inlineCredentials ?? [];
  const missing = [
    ...revision.registryCredentials.filter((n) => !options.registryCredentials[n]),
    ...inline.filter((n) => !options.inlineCredentials?.[n]),
  ];
  if (missing.length) {
    // Settings (or the deployment's secrets) changed after the revision was accepted: terminal until restored.
    return fail(
      new AppError('RegistryCredentialMissing', 500, `Registry credential(s) ${missing.join(', ')} are referenced by ${deploymentId} r${revision.number} but not configured.`, {
        retryable: false,
      }),
    );
  }
  let modulesContent = revision.content;
  if (revision.registryCredentials.length || inline.length) {
    const credentials: Record<string, RegistryCredential> = Object.fromEntries([
      ...revision.registryCredentials.map((n): [string, RegistryCredential] => [n, pick(options.registryCredentials[n]!)]),
      ...inline.map((n): [string, RegistryCredential] => [n, pick(options.inlineCredentials![n]!)]),
    ]);
    modulesContent = canonicalize(revision.kind === 'layered' ? withLayeredCredentials(revision.content, credentials) : withBaseCredentials(revision.content, credentials));
  }
  let targetCondition = revision.targetCondition;
  if (options.narrowTo) {
    // The stored text was rendered by the parser, so it parses back; narrowing then ANDs whole operands.
    const base = parseTargetCondition(revision.targetCondition);
    if (!base.ok) return base;
    targetCondition = allOf(base.value, options.narrowTo).text;
  }
  const queries = revision.spec.metrics?.queries;
  return ok({
    id: configurationId(deploymentId, revision.number),
    content: { modulesContent },
    targetCondition,
    priority: revision.spec.priority,
    ...(queries && Object.keys(queries).length ? { metrics: { queries } } : {}),
    labels: {
      ...revision.spec.labels,
      [MANAGED_BY_LABEL]: MANAGED_BY_VALUE,
      [DEPLOYMENT_LABEL]: deploymentId,
      [REVISION_LABEL]: String(revision.number),
      [INSTALLATION_LABEL]: options.installationId,
    },
  });
}

const pick = (c: RegistryCredential): RegistryCredential => ({ address: c.address, username: c.username, password: c.password });

function withBaseCredentials(content: ModulesContent, credentials: Record<string, RegistryCredential>): ModulesContent {
  const agent = content.$edgeAgent?.['properties.desired'] ?? {};
  const runtime = (agent.runtime ?? {}) as { settings?: Record<string, unknown> };
  return { ...content, $edgeAgent: { 'properties.desired': { ...agent, runtime: { ...runtime, settings: { ...runtime.settings, registryCredentials: credentials } } } } };
}

/** A layer adds credentials the way it adds modules: one `properties.desired.<path>` key each, merged into the base's. */
function withLayeredCredentials(content: ModulesContent, credentials: Record<string, RegistryCredential>): ModulesContent {
  const keys = Object.fromEntries(Object.entries(credentials).map(([name, c]) => [`${AGENT_CREDENTIALS}.${name}`, c]));
  return { ...content, $edgeAgent: { ...(content.$edgeAgent ?? {}), ...keys } as ModulesContent[string] };
}
