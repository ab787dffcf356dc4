// Builds the IoT Hub configuration of a stored revision at sync time. Registry
// credentials are filled in here and nowhere else: from settings, or opened
// from the deployment's sealed secrets, so secrets never reach revisions,
// responses or logs.
import { toConfiguration } from '../../domain/deployments/configuration';
import type { TargetCondition } from '../../domain/deployments/targetCondition';
import type { RegistryCredential } from '../../config/settings';
import { fail, type Result } from '../../domain/deployments/result';
import { isAppError } from '../../errors';
import type { ConfigurationSpec } from '../hubs/hubConfigurations';
import type { RevisionRecord } from './deploymentStore';
import { openSecrets, type SealedSecretsReader, type SecretSealer } from './registrySecrets';

export type ConfigurationFor = (revision: RevisionRecord, narrowTo?: TargetCondition) => Promise<Result<ConfigurationSpec>>;

export interface InlineSecretsSource {
  readonly read: SealedSecretsReader;
  readonly sealer?: SecretSealer | undefined;
}

export function configurationFor(
  registryCredentials: Readonly<Record<string, RegistryCredential>>,
  installationId: string,
  inline?: InlineSecretsSource,
): ConfigurationFor {
  return async (revision, narrowTo) => {
    let inlineCredentials: Readonly<Record<string, RegistryCredential>> | undefined;
    if (revision.inlineCredentials?.length && inline) {
      try {
        inlineCredentials = openSecrets(inline.sealer, await inline.read(revision.deploymentId));
      } catch (error) {
        if (isAppError(error)) return fail(error);
        throw error;
      }
    }
    return toConfiguration(revision.deploymentId, revision, { registryCredentials, narrowTo, installationId, ...(inlineCredentials ? { inlineCredentials } : {}) });
  };
}
