// The IoT Hub configuration object for one revision. It is the same for every
// hub (credentials come from app-wide settings), which is what lets "create an
// existing configuration" be checked by comparing content.
import type { RegistryCredential } from '../../config/settings';
import { AppError } from '../../errors';
import { canonicalize } from './canonicalJson';
import { configurationId, DEPLOYMENT_LABEL, INSTALLATION_LABEL, MANAGED_BY_LABEL, MANAGED_BY_VALUE, REVISION_LABEL } from './configurationId';
import type { ModulesContent } from './edgeContent';
import { fail, ok, type Result } from './result';
import type { Revision } from './revision';
import { allOf, parseTargetCondition, type TargetCondition } from './targetCondition';

export interface IotHubConfiguration {
  readonly id: string;
  readonly content: { readonly modulesContent: ModulesContent };
  readonly targetCondition: string;
  readonly priority: number;
  readonly labels: Readonly<Record<string, string>>;
}

export interface ConfigurationOptions {
  /** REGISTRY_CREDENTIALS from settings; only the names the revision references are used. */
  readonly registryCredentials: Readonly<Record<string, RegistryCredential>>;
  /** A rollout wave's narrowing (e.g. tags.ring='canary'), ANDed with the revision's condition. */
  readonly narrowTo?: TargetCondition | undefined;
  /** INSTALLATION_ID: the configuration is labelled with it, so garbage collection knows its own. */
  readonly installationId: string;
}

export function toConfiguration(deploymentId: string, revision: Revision, options: ConfigurationOptions): Result<IotHubConfiguration> {
  const missing = revision.registryCredentials.filter((n) => !options.registryCredentials[n]);
  if (missing.length) {
    // Settings changed after the revision was accepted: terminal until an operator restores them.
    return fail(
      new AppError('RegistryCredentialMissing', 500, `Registry credential(s) ${missing.join(', ')} are referenced by ${deploymentId} r${revision.number} but not configured.`, {
        retryable: false,
      }),
    );
  }
  let modulesContent = revision.content;
  if (revision.registryCredentials.length) {
    const credentials = Object.fromEntries(revision.registryCredentials.map((n) => [n, options.registryCredentials[n]]));
    const agent = revision.content.$edgeAgent?.['properties.desired'] ?? {};
    const runtime = (agent.runtime ?? {}) as { settings?: Record<string, unknown> };
    modulesContent = canonicalize({
      ...revision.content,
      $edgeAgent: { 'properties.desired': { ...agent, runtime: { ...runtime, settings: { ...runtime.settings, registryCredentials: credentials } } } },
    });
  }
  let targetCondition = revision.targetCondition;
  if (options.narrowTo) {
    // The stored text was rendered by the parser, so it parses back; narrowing then ANDs whole operands.
    const base = parseTargetCondition(revision.targetCondition);
    if (!base.ok) return base;
    targetCondition = allOf(base.value, options.narrowTo).text;
  }
  return ok({
    id: configurationId(deploymentId, revision.number),
    content: { modulesContent },
    targetCondition,
    priority: revision.spec.priority,
    labels: {
      ...revision.spec.labels,
      [MANAGED_BY_LABEL]: MANAGED_BY_VALUE,
      [DEPLOYMENT_LABEL]: deploymentId,
      [REVISION_LABEL]: String(revision.number),
      [INSTALLATION_LABEL]: options.installationId,
    },
  });
}
