// Whose a configuration on a hub is. `managedBy` says "made by this app", but
// every installation of the app writes the same value, so a staging app, a
// recreated table or a wrong storage account pointed at the same hubs would
// take every configuration for its own. The installation label narrows that
// to one installation: garbage collection deletes only its own.
import { DEPLOYMENT_LABEL, INSTALLATION_LABEL, MANAGED_BY_LABEL, MANAGED_BY_VALUE } from './configurationId';

/**
 * - `mine`: made by this installation;
 * - `legacy`: made by this app before configurations carried an installation
 *   (it may be any installation's): synced and relabelled when this
 *   installation's desired state names its deployment, never garbage-collected;
 * - `foreign`: another installation's, or not made by this app at all: never touched.
 */
export type ConfigurationOwner = 'mine' | 'legacy' | 'foreign';

export function configurationOwner(labels: Readonly<Record<string, string>>, installationId: string): ConfigurationOwner {
  if (labels[MANAGED_BY_LABEL] !== MANAGED_BY_VALUE) return 'foreign';
  const installation = labels[INSTALLATION_LABEL];
  if (installation === undefined) return 'legacy';
  return installation === installationId ? 'mine' : 'foreign';
}

/** The deployment a managed configuration belongs to ('' when unlabelled). */
export const deploymentOf = (labels: Readonly<Record<string, string>>): string => labels[DEPLOYMENT_LABEL] ?? '';
