// Builds the IoT Hub configuration of a stored revision at sync time. Registry
// credentials are filled in from settings here and nowhere else, so secrets
// never reach Table storage, responses or logs.
import { toConfiguration } from '../../domain/deployments/configuration';
import type { TargetCondition } from '../../domain/deployments/targetCondition';
import type { RegistryCredential } from '../../config/settings';
import type { Result } from '../../domain/deployments/result';
import type { ConfigurationSpec } from '../hubs/hubConfigurations';
import type { RevisionRecord } from './deploymentStore';

export type ConfigurationFor = (revision: RevisionRecord, narrowTo?: TargetCondition) => Result<ConfigurationSpec>;

export function configurationFor(registryCredentials: Readonly<Record<string, RegistryCredential>>, installationId: string): ConfigurationFor {
  return (revision, narrowTo) => toConfiguration(revision.deploymentId, revision, { registryCredentials, narrowTo, installationId });
}
