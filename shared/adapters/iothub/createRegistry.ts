// Builds an azure-iothub Registry for one hub: a connection string locally
// (plus, for the local simulator only, routing to its port and trust in its
// CA through the SDK's own options), a host name with Entra ID in Azure.
import type { TokenCredential } from '@azure/identity';
import { readFileSync } from 'node:fs';
import { Agent, type AgentOptions } from 'node:https';
import { type Socket } from 'node:net';
import { connect, type ConnectionOptions } from 'node:tls';
import { Registry } from 'azure-iothub';
import { type HubSetting } from '../../config/settings';
import { AppError } from '../../errors';

export type HubConnection =
  | { readonly kind: 'connectionString'; readonly connectionString: string; readonly hostName: string }
  | { readonly kind: 'sharedAccessSignature'; readonly signature: string; readonly hostName: string }
  | { readonly kind: 'hostName'; readonly hostName: string };

/**
 * `HostName=...;SharedAccessKeyName=...;SharedAccessKey=...` is a connection string,
 * `HostName=...;SharedAccessSignature=SharedAccessSignature sr=...` carries a ready token,
 * anything else is taken as the hub's host name (Entra ID).
 */
export function parseHubConnection(connection: string): HubConnection {
  const hostName = /(?:^|;)\s*HostName=([^;]+)/i.exec(connection)?.[1]?.trim();
  if (!hostName) return { kind: 'hostName', hostName: connection.trim() };
  const signature = /(?:^|;)\s*SharedAccessSignature=(SharedAccessSignature .+)$/i.exec(connection)?.[1]?.trim();
  if (signature) return { kind: 'sharedAccessSignature', signature, hostName };
  return { kind: 'connectionString', connectionString: connection, hostName };
}

/**
 * An agent that sends connections for `hostName` to the simulator's endpoint
 * while TLS still verifies the certificate against `hostName` (SNI and
 * identity check), trusting only the given CA. Nothing global changes.
 */
export function localHubAgent(hostName: string, endpoint: string, ca: string): Agent {
  const target = new URL(endpoint);
  const port = Number(target.port || 443);
  const address = target.hostname.replace(/^\[|\]$/g, '');
  class LocalHubAgent extends Agent {
    override createConnection(options: ConnectionOptions): Socket {
      return connect({ ...options, host: address, port, servername: hostName, ca });
    }
  }
  const agentOptions: AgentOptions = { keepAlive: true, ca };
  return new LocalHubAgent(agentOptions);
}

interface RestApiClientLike {
  setOptions(options: { http: { agent: Agent }; ca: string }): void;
}

export function createRegistry(hub: HubSetting, options: { credential?: TokenCredential } = {}): Registry {
  const connection = parseHubConnection(hub.connection);
  if (connection.kind === 'hostName') {
    // The composition root passes the app's identity (it loads @azure/identity only when some hub needs it).
    if (!options.credential) throw new AppError('HubCredentialMissing', 500, `hub '${hub.name}' is given by host name and needs a credential`, { retryable: false });
    return Registry.fromTokenCredential(connection.hostName, options.credential);
  }
  const registry =
    connection.kind === 'connectionString'
      ? Registry.fromConnectionString(connection.connectionString)
      : Registry.fromSharedAccessSignature(connection.signature);
  if (hub.local) {
    const ca = readFileSync(hub.local.caFile, 'utf8');
    // The Registry constructor installs its own agent, so ours is set afterwards on the client it owns.
    const client = (registry as unknown as { _restApiClient?: RestApiClientLike })._restApiClient;
    if (!client?.setOptions) throw new Error('azure-iothub Registry no longer exposes its REST client; update createRegistry');
    client.setOptions({ http: { agent: localHubAgent(connection.hostName, hub.local.endpoint, ca) }, ca });
  }
  return registry;
}
