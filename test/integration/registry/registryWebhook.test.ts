// The registry webhook end to end: the real function app in the local host,
// a signed push in, a new revision out, and its configuration on the simulated hub.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { createRegistry } from '../../../shared/adapters/iothub/createRegistry';
import { hmacSignature } from '../../../shared/domain/registry/webhookAuth';
import { type AppStack, fixture, startAppStack } from '../../helpers/appStack';

const GENERIC_SECRET = 'generic-webhook-secret';
const ACR_TOKEN = 'acr-webhook-token';
const CLOUDEVENTS_TOKEN = 'event-grid-token';
const GHCR_SECRET = 'github-webhook-secret';
const DOCKERHUB_TOKEN = 'dockerhub-url-token';
const HARBOR_SECRET = 'harbor-auth-header';
const LIMIT = 64 * 1024;

interface Report {
  deliveryId: string;
  dryRun: boolean;
  changes: { deploymentId: string; module: string; from: string; to: string }[];
  revisions: { deploymentId: string; revision: number; converged: boolean }[];
}

describe('registry webhook', () => {
  let stack: AppStack;
  before(async () => {
    stack = await startAppStack({
      settings: { WEBHOOK_GENERIC_SECRET: GENERIC_SECRET, WEBHOOK_ACR_TOKEN: ACR_TOKEN, WEBHOOK_CLOUDEVENTS_TOKEN: CLOUDEVENTS_TOKEN, WEBHOOK_GHCR_SECRET: GHCR_SECRET, WEBHOOK_DOCKERHUB_TOKEN: DOCKERHUB_TOKEN, WEBHOOK_HARBOR_SECRET: HARBOR_SECRET, MAX_WEBHOOK_BODY_BYTES: String(LIMIT) },
    });
    const created = await stack.api('deployments', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        id: 'sensor',
        target: { selector: { env: 'prod' } },
        hubSelector: { names: ['weu'] },
        manifest: { modules: { sensor: { image: 'fleetacr.azurecr.io/edge/sensor:1.4.2', updatePolicy: { type: 'semver', level: 'patch' } } } },
      }),
    });
    assert.equal(created.status, 201, await created.text());
  });
  after(async () => stack.stop());

  const hook = (provider: string, init: RequestInit & { query?: string } = {}) => fetch(`${stack.baseUrl}/webhooks/registry/${provider}${init.query ?? ''}`, { method: 'POST', ...init });
  const signed = (body: string, secret = GENERIC_SECRET) => ({ body, headers: { 'content-type': 'application/json', 'x-signature-256': hmacSignature(secret, Buffer.from(body)) } });
  const pushBody = readFileSync(fixture('registry', 'generic', 'push.json'), 'utf8');
  const revision = async () => ((await (await stack.api('deployments/sensor')).json()) as { deployment: { revision: number } }).deployment.revision;
  const hubImage = async (configurationId: string) => {
    const h = stack.iothub.hubs.find((x) => x.name === 'weu')!;
    const registry = createRegistry({ name: h.name, region: h.region, labels: h.labels, units: 1, connection: h.connectionString, local: { endpoint: h.localEndpoint, caFile: h.caFile } });
    const config = (await registry.getConfigurations()).responseBody.find((c) => c.id === configurationId);
    const content = config?.content?.modulesContent as Record<string, Record<string, { modules: Record<string, { settings: { image: string } }> }>> | undefined;
    return content?.$edgeAgent?.['properties.desired']?.modules.sensor?.settings.image;
  };

  it('refuses a bad or missing signature with 401 and no detail, and changes nothing', async () => {
    const bad = await hook('generic', signed(pushBody, 'not-the-secret'));
    assert.equal(bad.status, 401);
    const text = await bad.text();
    assert.doesNotMatch(text, /signature|secret|WEBHOOK_/i);
    assert.equal((await hook('generic', { body: pushBody, headers: { 'content-type': 'application/json' } })).status, 401);
    assert.equal((await hook('acr', { body: readFileSync(fixture('registry', 'acr', 'push.json'), 'utf8'), headers: { authorization: 'Bearer wrong' } })).status, 401);
    assert.equal((await hook('harbor', { body: '{}', headers: { authorization: 'Bearer anything' } })).status, 401, 'a provider without a secret is disabled');
    assert.equal(await revision(), 1);
    assert.ok(!stack.logs.some((l) => l.message.includes(GENERIC_SECRET)), 'a secret reached the logs');
  });

  it('refuses an oversized body with 413 before authenticating it', async () => {
    const res = await hook('generic', { body: 'x'.repeat(LIMIT + 1), headers: { 'content-type': 'application/json', 'x-signature-256': 'sha256=00' } });
    assert.equal(res.status, 413);
    assert.equal(res.headers.get('content-type'), 'application/problem+json');
  });

  it('acknowledges pings with 202 and the reason', async () => {
    const ping = await hook('generic', signed(readFileSync(fixture('registry', 'generic', 'ping.json'), 'utf8')));
    assert.equal(ping.status, 202);
    assert.deepEqual(await ping.json(), { provider: 'generic', ignored: true, reason: "event type 'ping' is not a push" });
    const acrPing = await hook('acr', { body: readFileSync(fixture('registry', 'acr', 'ping.json'), 'utf8'), headers: { authorization: `Bearer ${ACR_TOKEN}` } });
    assert.equal(acrPing.status, 202);
  });

  it('answers a dry run with the plan and changes nothing', async () => {
    const res = await hook('acr', { query: '?dryRun=true', body: readFileSync(fixture('registry', 'acr', 'push.json'), 'utf8'), headers: { authorization: `Bearer ${ACR_TOKEN}` } });
    assert.equal(res.status, 200);
    const report = (await res.json()) as Report;
    assert.equal(report.dryRun, true);
    assert.deepEqual(report.changes.map((c) => [c.deploymentId, c.to]), [['sensor', 'fleetacr.azurecr.io/edge/sensor:1.4.3']]);
    assert.deepEqual(report.revisions, []);
    assert.equal(await revision(), 1);
  });

  it('applies a signed push: a new revision caused by the push, its configuration on the hub', async () => {
    const res = await hook('generic', signed(pushBody));
    const text = await res.text();
    assert.equal(res.status, 200, text);
    const report = JSON.parse(text) as Report;
    assert.equal(report.deliveryId, 'ci-run-4711');
    assert.deepEqual(report.changes.map((c) => [c.deploymentId, c.module, c.from, c.to]), [['sensor', 'sensor', 'fleetacr.azurecr.io/edge/sensor:1.4.2', 'fleetacr.azurecr.io/edge/sensor:1.4.3']]);
    assert.deepEqual(report.revisions, [{ deploymentId: 'sensor', revision: 2, converged: true }]);
    assert.equal(await hubImage('sensor-r2'), 'fleetacr.azurecr.io/edge/sensor:1.4.3');
    const revisions = (await (await stack.api('deployments/sensor/revisions')).json()) as { items: { revision: number; cause: Record<string, unknown> }[] };
    assert.deepEqual(revisions.items.at(-1)?.cause, {
      kind: 'registry',
      provider: 'generic',
      deliveryId: 'ci-run-4711',
      changes: [{ module: 'sensor', previousImage: 'fleetacr.azurecr.io/edge/sensor:1.4.2', image: 'fleetacr.azurecr.io/edge/sensor:1.4.3' }],
    });
  });

  it('answers the same delivery again with the first answer and starts nothing new', async () => {
    const first = await stack.api('deployments/sensor/revisions');
    const replay = await hook('generic', signed(pushBody));
    assert.equal(replay.status, 200);
    assert.equal(replay.headers.get('idempotent-replayed'), 'true');
    const report = (await replay.json()) as Report;
    assert.deepEqual(report.revisions, [{ deploymentId: 'sensor', revision: 2, converged: true }], 'the first answer, not a new plan');
    assert.equal(await revision(), 2);
    assert.equal(await (await stack.api('deployments/sensor/revisions')).text(), await first.text());
  });

  it('takes CloudEvents from Event Grid: the OPTIONS handshake, then a bearer-authenticated ImagePushed', async () => {
    const handshake = await fetch(`${stack.baseUrl}/webhooks/registry/cloudevents`, { method: 'OPTIONS', headers: { 'webhook-request-origin': 'eventgrid.azure.net' } });
    assert.equal(handshake.status, 200);
    assert.equal(handshake.headers.get('webhook-allowed-origin'), 'eventgrid.azure.net');
    assert.equal(handshake.headers.get('webhook-allowed-rate'), '*');
    assert.equal((await fetch(`${stack.baseUrl}/webhooks/registry/acr`, { method: 'OPTIONS', headers: { 'webhook-request-origin': 'eventgrid.azure.net' } })).status, 405);

    const event = JSON.parse(readFileSync(fixture('registry', 'cloudevents', 'image-pushed.json'), 'utf8')) as { data: { target: { tag: string } } };
    event.data.target.tag = '1.4.4';
    const res = await hook('cloudevents', { body: JSON.stringify(event), headers: { 'content-type': 'application/cloudevents+json; charset=utf-8', authorization: `Bearer ${CLOUDEVENTS_TOKEN}` } });
    assert.equal(res.status, 200, await res.clone().text());
    assert.deepEqual(((await res.json()) as Report).revisions.map((r) => r.revision), [3]);
    assert.equal(await hubImage('sensor-r3'), 'fleetacr.azurecr.io/edge/sensor:1.4.4');
  });

  it('takes GitHub package events, form-encoded too, signed over the raw body', async () => {
    const payload = readFileSync(fixture('registry', 'ghcr', 'package-published.json'), 'utf8');
    const body = new URLSearchParams({ payload }).toString();
    const headers = {
      'content-type': 'application/x-www-form-urlencoded',
      'x-github-event': 'package',
      'x-github-delivery': '72d3162e-cc78-11e3-81ab-4c9367dc0958',
      'x-hub-signature-256': hmacSignature(GHCR_SECRET, Buffer.from(body)),
    };
    const res = await hook('ghcr', { body, headers });
    assert.equal(res.status, 200, await res.clone().text());
    const report = (await res.json()) as Report & { pushes: { repository: string; tag: string }[] };
    assert.deepEqual(report.pushes.map((p) => `${p.repository}:${p.tag}`), ['ghcr.io/fleetco/edge-sensor:1.4.3']);
    assert.deepEqual(report.revisions, [], 'no deployment follows that repository');
    assert.equal((await hook('ghcr', { body, headers: { ...headers, 'x-hub-signature-256': hmacSignature(GHCR_SECRET, Buffer.from(payload)) } })).status, 401);
  });

  it('answers an unknown provider with 404 and a malformed payload with 400', async () => {
    assert.equal((await hook('quay', { body: '{}' })).status, 404);
    const bad = await hook('generic', signed('{"type":"push"}'));
    assert.equal(bad.status, 400);
    assert.equal(((await bad.json()) as { errors: { pointer: string }[] }).errors[0]?.pointer, '/id');
  });

  it('takes ACR, Docker Hub and Harbor pushes with their own credentials: a new revision each, on the hub', async () => {
    const follow = async (id: string, image: string) => {
      const res = await stack.api('deployments', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ id, target: { selector: { env: 'prod' } }, hubSelector: { names: ['weu'] }, manifest: { modules: { sensor: { image, updatePolicy: { type: 'force' } } } } }),
      });
      assert.equal(res.status, 201, await res.text());
    };
    await follow('acr-follower', 'fleetacr.azurecr.io/edge/sensor:1.0.0');
    await follow('hub-follower', 'fleetco/edge-sensor:1.0.0');
    await follow('harbor-follower', 'harbor.fleet.example:8443/edge/sensor:1.0.0');
    const cases = [
      { provider: 'acr', file: 'push.json', good: { headers: { authorization: `Bearer ${ACR_TOKEN}` } }, bad: { headers: { authorization: 'Bearer nope' } }, id: 'acr-follower', image: 'fleetacr.azurecr.io/edge/sensor:1.4.3' },
      { provider: 'dockerhub', file: 'push.json', good: { query: `?token=${DOCKERHUB_TOKEN}` }, bad: { query: '?token=nope' }, id: 'hub-follower', image: 'fleetco/edge-sensor:1.4.3' },
      { provider: 'harbor', file: 'push-artifact.json', good: { headers: { authorization: `Bearer ${HARBOR_SECRET}` } }, bad: {}, id: 'harbor-follower', image: 'harbor.fleet.example:8443/edge/sensor:1.4.3' },
    ];
    for (const c of cases) {
      const body = readFileSync(fixture('registry', c.provider, c.file), 'utf8');
      const refused = await hook(c.provider, { body, ...c.bad, headers: { 'content-type': 'application/json', ...(c.bad.headers ?? {}) } });
      assert.equal(refused.status, 401, `${c.provider}: wrong credentials`);
      const res = await hook(c.provider, { body, ...c.good, headers: { 'content-type': 'application/json', ...(c.good.headers ?? {}) } });
      assert.equal(res.status, 200, `${c.provider}: ${await res.clone().text()}`);
      const report = (await res.json()) as Report;
      assert.deepEqual(report.revisions.map((r) => [r.deploymentId, r.revision]), [[c.id, 2]], `${c.provider}: only the follower moves (sensor refuses a downgrade)`);
      assert.equal(await hubImage(`${c.id}-r2`), c.image, `${c.provider}: the new image reached the hub`);
    }
  });
});
