// `?watch=1` streams: one open HTTPS response through the local stack carries
// the deployment's current state and then, on the same connection, the
// MODIFIED event of a change made while it is open. Real HTTP, real storage.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { request } from 'node:https';
import { after, before, describe, it } from 'node:test';
import { parse } from 'yaml';
import { type AppStack, startAppStack } from '../../helpers/appStack';
import { waitFor } from '../../helpers/fixtureApp';

type Obj = Record<string, unknown>;
interface WatchEvent {
  type: string;
  object: { metadata: { name: string; generation?: number }; spec?: { template: { spec: { containers: { image: string }[] } } } };
}

const deployment = (image: string) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', labels: { app: 'web' } },
  spec: {
    selector: { matchLabels: { app: 'web' } },
    template: { metadata: { labels: { app: 'web' } }, spec: { nodeSelector: { env: 'prod' }, containers: [{ name: 'web', image }] } },
  },
});

describe('Kubernetes watch, streamed', () => {
  let stack: AppStack;
  let ca: string;
  const k8s = (method: string, path: string, body?: { contentType: string; value: Obj }, accept = 'application/json') =>
    new Promise<IncomingMessage>((resolve, reject) => {
      const req = request(`${stack.kubernetesServer!}${path}`, {
        method,
        ca,
        headers: { authorization: `Bearer ${stack.keys.functionKey}`, accept, ...(body ? { 'content-type': body.contentType } : {}) },
      });
      req.once('response', resolve).once('error', reject);
      req.end(body ? JSON.stringify(body.value) : undefined);
    });
  const text = async (res: IncomingMessage) => {
    let out = '';
    for await (const chunk of res) out += String(chunk);
    return out;
  };

  before(async () => {
    stack = await startAppStack({ tls: true, iothub: { fleet: 4, seed: 3 } });
    const config = parse(readFileSync(stack.kubeconfig!, 'utf8')) as { clusters: { cluster: { 'certificate-authority-data': string } }[] };
    ca = Buffer.from(config.clusters[0]!.cluster['certificate-authority-data'], 'base64').toString('utf8');
    const created = await k8s('POST', '/apis/apps/v1/namespaces/default/deployments', { contentType: 'application/json', value: deployment('contoso.azurecr.io/web:1.0.0') });
    assert.equal(created.statusCode, 201, await text(created));
    created.resume();
  });
  after(async () => stack?.stop());

  it('sends the current state, then a change made while the connection is open, on that connection', async () => {
    const watch = await k8s('GET', '/apis/apps/v1/namespaces/default/deployments?watch=1&timeoutSeconds=60');
    try {
      assert.equal(watch.statusCode, 200);
      assert.equal(watch.headers['content-type'], 'application/json;stream=watch');
      const events: WatchEvent[] = [];
      let partial = '';
      watch.on('data', (chunk: Buffer) => {
        partial += chunk.toString('utf8');
        const lines = partial.split('\n');
        partial = lines.pop()!;
        for (const line of lines) if (line) events.push(JSON.parse(line) as WatchEvent);
      });
      const image = (e: WatchEvent) => e.object.spec?.template.spec.containers[0]?.image;

      const first = await waitFor(() => events[0], 20_000, 'the first watch event');
      assert.equal(first.type, 'MODIFIED');
      assert.equal(first.object.metadata.name, 'web');
      assert.equal(image(first), 'contoso.azurecr.io/web:1.0.0');
      assert.equal(watch.complete, false, 'the watch answered and closed instead of staying open');

      const patched = await k8s('PATCH', '/apis/apps/v1/namespaces/default/deployments/web', {
        contentType: 'application/merge-patch+json',
        value: { spec: { template: { spec: { containers: [{ name: 'web', image: 'contoso.azurecr.io/web:2.0.0' }] } } } },
      });
      assert.equal(patched.statusCode, 200, await text(patched));

      const change = await waitFor(() => events.find((e) => image(e) === 'contoso.azurecr.io/web:2.0.0'), 20_000, 'the MODIFIED event of the new image');
      assert.equal(change.type, 'MODIFIED');
      assert.equal(watch.complete, false);
    } finally {
      watch.destroy();
    }
  });

  it('carries each object as a one-row Table when the watch asks for Tables (kubectl get -w)', async () => {
    // The Accept header kubectl 1.32 sends for `get -w` (server-side printing).
    const watch = await k8s('GET', '/apis/apps/v1/namespaces/default/deployments?watch=1&timeoutSeconds=60', undefined, 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json');
    try {
      assert.equal(watch.statusCode, 200);
      let partial = '';
      const events: { type: string; object: { kind: string; columnDefinitions: { name: string }[]; rows: { cells: unknown[] }[] } }[] = [];
      watch.on('data', (chunk: Buffer) => {
        partial += chunk.toString('utf8');
        const lines = partial.split('\n');
        partial = lines.pop()!;
        for (const line of lines) if (line) events.push(JSON.parse(line) as (typeof events)[number]);
      });
      const first = await waitFor(() => events[0], 20_000, 'the first watch event');
      assert.equal(first.object.kind, 'Table');
      assert.deepEqual(first.object.columnDefinitions.slice(0, 2).map((c) => c.name), ['Name', 'Ready']);
      assert.equal(first.object.rows.length, 1);
      assert.equal(first.object.rows[0]!.cells[0], 'web');
    } finally {
      watch.destroy();
    }
  });

  it('answers at once when there is nothing to report yet (an informer starting on an empty list waits for the headers)', async () => {
    const answered = k8s('GET', '/apis/apps/v1/namespaces/default/deployments?watch=1&fieldSelector=metadata.name%3Dnone&timeoutSeconds=60');
    const watch = await Promise.race([answered, new Promise<never>((_, reject) => setTimeout(() => reject(new Error('no status line within 15 s: the headers wait for a first event')), 15_000).unref())]);
    try {
      assert.equal(watch.statusCode, 200);
      assert.equal(watch.headers['content-type'], 'application/json;stream=watch');
      assert.equal(watch.complete, false, 'the watch stays open');
    } finally {
      watch.destroy();
    }
  });

  it('refuses a timeoutSeconds that is not a whole number with a 400 Status', async () => {
    const res = await k8s('GET', '/apis/apps/v1/namespaces/default/deployments?watch=1&timeoutSeconds=soon');
    assert.equal(res.statusCode, 400);
    const status = JSON.parse(await text(res)) as { kind: string; code: number };
    assert.equal(status.kind, 'Status');
    assert.equal(status.code, 400);
  });
});
