// The kubeconfig `npm start` writes for kubectl (docs/kubernetes-api.md): the
// app's Kubernetes surface over HTTPS (kubectl sends a bearer token only over
// TLS), the local CA inline, the function key as the bearer token. Written
// 0600: it holds the key.
import { writeFileSync } from 'node:fs';
import { stringify } from 'yaml';

export interface KubeconfigInput {
  /** `https://127.0.0.1:<port>/api/k8s`. */
  readonly server: string;
  readonly caPem: string;
  readonly token: string;
  readonly name?: string;
}

/** kubeconfig v1 (https://kubernetes.io/docs/concepts/configuration/organize-cluster-access-kubeconfig/). */
export function kubeconfigText(input: KubeconfigInput): string {
  const name = input.name ?? 'edge-fleet-local';
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name, cluster: { server: input.server, 'certificate-authority-data': Buffer.from(input.caPem).toString('base64') } }],
    users: [{ name, user: { token: input.token } }],
    contexts: [{ name, context: { cluster: name, user: name, namespace: 'default' } }],
    'current-context': name,
    preferences: {},
  });
}

export function writeKubeconfig(path: string, input: KubeconfigInput): void {
  writeFileSync(path, kubeconfigText(input), { mode: 0o600 });
}
