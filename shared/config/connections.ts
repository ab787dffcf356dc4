// Azure Functions connection settings: a connection named X is either a
// connection string in `X` (locally) or identity-based `X__...` settings in
// Azure (managed identity, no secrets). Same convention as the Functions host.

export type StorageConnection =
  | { readonly kind: 'connectionString'; readonly connectionString: string }
  | {
      readonly kind: 'identity';
      readonly tableServiceUri: string;
      readonly blobServiceUri: string;
      readonly clientId?: string;
    };

export type EventHubsConnection =
  | { readonly kind: 'connectionString'; readonly connectionString: string }
  | { readonly kind: 'identity'; readonly fullyQualifiedNamespace: string; readonly clientId?: string };

type Env = Readonly<Record<string, string | undefined>>;

const value = (env: Env, key: string): string | undefined => {
  const v = env[key]?.trim();
  return v ? v : undefined;
};

/** Returns the connection, or a message saying what is missing. */
export function readStorageConnection(env: Env, name: string): StorageConnection | string {
  const connectionString = value(env, name);
  if (connectionString) {
    if (!/AccountName=|UseDevelopmentStorage=true|TableEndpoint=/i.test(connectionString)) {
      return 'is not a storage connection string (expected AccountName=...;AccountKey=... or UseDevelopmentStorage=true)';
    }
    return { kind: 'connectionString', connectionString };
  }
  const account = value(env, `${name}__accountName`);
  const tableServiceUri = value(env, `${name}__tableServiceUri`) ?? (account && `https://${account}.table.core.windows.net`);
  const blobServiceUri = value(env, `${name}__blobServiceUri`) ?? (account && `https://${account}.blob.core.windows.net`);
  if (!tableServiceUri || !blobServiceUri) {
    return `is required: set ${name} to a connection string, or ${name}__accountName for managed identity`;
  }
  const clientId = value(env, `${name}__clientId`);
  return { kind: 'identity', tableServiceUri, blobServiceUri, ...(clientId ? { clientId } : {}) };
}

export function readEventHubsConnection(env: Env, name: string): EventHubsConnection | string {
  const connectionString = value(env, name);
  if (connectionString) {
    if (!/Endpoint=sb:\/\//i.test(connectionString)) {
      return 'is not an Event Hubs connection string (expected Endpoint=sb://...;SharedAccessKeyName=...;SharedAccessKey=...)';
    }
    return { kind: 'connectionString', connectionString };
  }
  const fullyQualifiedNamespace = value(env, `${name}__fullyQualifiedNamespace`);
  if (!fullyQualifiedNamespace) {
    return `is required: set ${name} to a connection string, or ${name}__fullyQualifiedNamespace for managed identity`;
  }
  const clientId = value(env, `${name}__clientId`);
  return { kind: 'identity', fullyQualifiedNamespace, ...(clientId ? { clientId } : {}) };
}
