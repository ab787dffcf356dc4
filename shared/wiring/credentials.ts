// One credential per identity, shared by every client, so tokens are cached
// once. @azure/identity (with MSAL, the largest SDK here) is loaded only when
// a connection is identity-based: local connection strings never load it.
import type { TokenCredential } from '@azure/identity';

const credentials = new Map<string, Promise<TokenCredential>>();

/** Without a client id, DefaultAzureCredential picks the identity from AZURE_CLIENT_ID (set by infra/ for the app's user-assigned identity). */
export function credentialFor(clientId: string | undefined): Promise<TokenCredential> {
  const key = clientId ?? '';
  let credential = credentials.get(key);
  if (!credential) {
    credential = import('@azure/identity').then(({ DefaultAzureCredential, ManagedIdentityCredential }) => (clientId ? new ManagedIdentityCredential({ clientId }) : new DefaultAzureCredential()));
    credentials.set(key, credential);
  }
  return credential;
}
