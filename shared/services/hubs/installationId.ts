// Which installation this app is on the hubs (the fleetInstallation label).
// INSTALLATION_ID names it; without it, the FleetStorage account does: two
// installations with their own storage accounts are told apart by default,
// and an app pointed at the wrong account does not take the hubs for its own.
import type { StorageConnection } from '../../config/connections';

export function installationIdOf(configured: string | undefined, storage: StorageConnection): string {
  if (configured) return configured;
  if (storage.kind === 'identity') return new URL(storage.tableServiceUri).hostname.split('.')[0]!;
  const account = /(?:^|;)\s*AccountName=([^;]+)/i.exec(storage.connectionString)?.[1]?.trim();
  // UseDevelopmentStorage=true is Azurite's well-known account.
  return (account ?? 'devstoreaccount1').replace(/[^A-Za-z0-9._-]/g, '-').slice(0, 63);
}
