// Each revision of a deployment becomes its own IoT Hub configuration, because
// configuration content is immutable. The id is deterministic so that a retry,
// the fan-out and the reconciler all name the same configuration.

/** Lowercase letters, digits and dashes; leaves room for the `-r<revision>` suffix within IoT Hub's 128. */
export const DEPLOYMENT_ID_PATTERN = /^[a-z0-9](?:[a-z0-9-]{0,98}[a-z0-9])?$/;
export const DEPLOYMENT_ID_MAX_LENGTH = 100;

/** Label put on every configuration this app creates; garbage collection only touches these. */
export const MANAGED_BY_LABEL = 'managedBy';
export const MANAGED_BY_VALUE = 'edge-fleet-control-plane';
export const DEPLOYMENT_LABEL = 'fleetDeployment';
export const REVISION_LABEL = 'fleetRevision';
/** Names the installation (INSTALLATION_ID) that made a configuration: see configurationOwner.ts. */
export const INSTALLATION_LABEL = 'fleetInstallation';

export function configurationId(deploymentId: string, revision: number): string {
  return `${deploymentId}-r${revision}`;
}

/** Inverse of `configurationId`; undefined for ids this app did not make. */
export function parseConfigurationId(id: string): { deploymentId: string; revision: number } | undefined {
  const match = /^(.+)-r(\d{1,9})$/.exec(id);
  if (!match?.[1] || !match[2] || !DEPLOYMENT_ID_PATTERN.test(match[1])) return undefined;
  return { deploymentId: match[1], revision: Number(match[2]) };
}
