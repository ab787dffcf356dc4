// Issue #16 items 2, 12-16 as regression tests: each bad input through the real
// local host, Azurite and the IoT Hub simulator, answered with a 4xx problem
// naming the field, and nothing stored that differs from what was accepted.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type AppStack, startAppStack } from '../../helpers/appStack';

const deployment = (id: string, extra: Record<string, unknown> = {}) => ({
  id,
  hubSelector: {},
  target: { condition: "tags.env='staging'" },
  manifest: { modules: { sensor: { image: 'mcr.microsoft.com/azureiotedge-simulated-temperature-sensor:1.5', ...extra } } },
});

interface Problem {
  status: number;
  code: string;
  errors?: { pointer: string; detail: string }[];
}

describe('edge guards against bad input (issue #16, items 2 and 12-16)', () => {
  let stack: AppStack;
  before(async () => {
    stack = await startAppStack({ settings: { WEBHOOK_GHCR_SECRET: '@Microsoft.KeyVault(SecretUri=https://kv-x.vault.azure.net/secrets/webhook-ghcr-secret)' } });
    const created = await stack.api('deployments', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(deployment('edge-guards')) });
    assert.ok([201, 202].includes(created.status), await created.text());
  });
  after(async () => stack.stop());

  const problem = async (response: Response, status: number): Promise<Problem> => {
    const text = await response.text();
    assert.equal(response.status, status, text);
    assert.match(response.headers.get('content-type') ?? '', /application\/problem\+json/);
    return JSON.parse(text) as Problem;
  };

  it('12: an id with an encoded slash is a 400 naming the path parameter, at once', async () => {
    const started = Date.now();
    const body = await problem(await stack.api('deployments/a%2Fb'), 400);
    assert.equal(body.code, 'InvalidPathParameter');
    assert.equal(body.errors?.[0]?.pointer, '/path/id');
    assert.ok(Date.now() - started < 2000, 'answered without waiting on storage');
  });

  it('12: made-up continuation tokens, matching the old pattern or not, are 400 naming the parameter', async () => {
    for (const token of ['abc', 'eyJ4IjoxfQ', 'eyJ4IjoxfQ.AAAAAAAAAAAAAAAAAAAAAA']) {
      const body = await problem(await stack.api(`deployments?continuationToken=${token}`), 400);
      assert.ok(body.errors?.some((e) => e.pointer.endsWith('continuationToken')), JSON.stringify(body));
    }
  });

  it('12: a token issued for one list is refused on another, and a real one pages on', async () => {
    for (const id of ['edge-page-a', 'edge-page-b']) {
      await stack.api('deployments', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(deployment(id)) });
    }
    const first = (await (await stack.api('deployments?pageSize=1')).json()) as { continuationToken: string | null };
    assert.ok(first.continuationToken);
    const next = await stack.api(`deployments?pageSize=1&continuationToken=${first.continuationToken}`);
    assert.equal(next.status, 200);
    await problem(await stack.api(`deployments/edge-guards/revisions?continuationToken=${first.continuationToken}`), 400);
  });

  it('13: JSON nested 10,000 deep (body, createOptions, PATCH) is a 400, not a 500', async () => {
    const deep = '['.repeat(10000) + ']'.repeat(10000);
    const viaBody = `{"id":"edge-deep","hubSelector":{},"target":{"condition":"tags.env='staging'"},"manifest":{"modules":{"m":{"image":"x:1","createOptions":{"HostConfig":${deep}}}}}}`;
    const a = await problem(await stack.api('deployments', { method: 'POST', headers: { 'content-type': 'application/json' }, body: viaBody }), 400);
    assert.equal(a.code, 'BodyLimitExceeded');
    assert.match(a.errors?.[0]?.pointer ?? '', /^\/manifest\/modules\/m\/createOptions\/HostConfig/);
    const inString = JSON.stringify(deployment('edge-deep', { createOptions: `{"a":${deep}}` }));
    const b = await problem(await stack.api('deployments', { method: 'POST', headers: { 'content-type': 'application/json' }, body: inString }), 400);
    assert.equal(b.errors?.[0]?.pointer, '/manifest/modules/sensor/createOptions');
    const patch = await stack.api('deployments/edge-guards', { method: 'PATCH', headers: { 'content-type': 'application/merge-patch+json', 'if-match': '*' }, body: `{"labels":${'{"a":'.repeat(10000)}1${'}'.repeat(10000)}}` });
    assert.equal((await problem(patch, 400)).code, 'BodyLimitExceeded');
  });

  it('13: YAML alias bombs (billion laughs, << merge) are a 400', async () => {
    const laughs = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (let i = 1; i < 9; i++) laughs.push(`${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(9).fill(`*${String.fromCharCode(96 + i)}`).join(',')}]`);
    const merge = ['a: &a {x: 1}', ...Array.from({ length: 8 }, (_, i) => `m${i}: &m${i}\n  <<: [${Array(9).fill(i === 0 ? '*a' : `*m${i - 1}`).join(', ')}]`)];
    for (const yaml of [laughs.join('\n'), merge.join('\n')]) {
      const response = await stack.api('deployments', { method: 'POST', headers: { 'content-type': 'application/yaml' }, body: yaml });
      assert.equal(response.status, 400, await response.clone().text());
    }
  });

  it('14: "Memory": 1e400, a __proto__ key, and labelSelector=__proto__=x are refused with a pointer', async () => {
    const big = JSON.stringify(deployment('edge-memory', { createOptions: { HostConfig: { Memory: 1 } } })).replace('"Memory":1', '"Memory":1e400');
    const a = await problem(await stack.api('deployments', { method: 'POST', headers: { 'content-type': 'application/json' }, body: big }), 400);
    assert.equal(a.errors?.[0]?.pointer, '/manifest/modules/sensor/createOptions/HostConfig/Memory');
    const proto = JSON.stringify(deployment('edge-proto')).replace('"hubSelector":{}', '"hubSelector":{},"labels":{"__proto__":{"x":"y"}}');
    const b = await problem(await stack.api('deployments', { method: 'POST', headers: { 'content-type': 'application/json' }, body: proto }), 400);
    assert.equal(b.errors?.[0]?.pointer, '/labels/__proto__');
    assert.equal((await stack.api('deployments/edge-proto')).status, 404, 'nothing was stored');
    await problem(await stack.api('deployments?labelSelector=__proto__=x'), 400);
  });

  it('16: If-Match: * matches the current revision; PUT refuses a merge patch with 415', async () => {
    const patched = await stack.api('deployments/edge-guards', { method: 'PATCH', headers: { 'content-type': 'application/merge-patch+json', 'if-match': '*' }, body: '{"labels":{"team":"edge"}}' });
    assert.ok([200, 202].includes(patched.status), await patched.text());
    const put = await stack.api('deployments/edge-guards', { method: 'PUT', headers: { 'content-type': 'application/merge-patch+json', 'if-match': '*' }, body: '{"labels":{}}' });
    assert.equal((await problem(put, 415)).code, 'UnsupportedMediaType');
  });

  it('16: the unknown-provider 404 fits the documented Problem schema, and OPTIONS on it is documented', async () => {
    const doc = (await (await fetch(`${stack.baseUrl}/openapi.json`)).json()) as { paths: Record<string, Record<string, { responses: Record<string, unknown> }>> };
    assert.ok(doc.paths['/webhooks/registry/{provider}']?.options?.responses['404'], 'OPTIONS 404 is documented');
    const post = await problem(await fetch(`${stack.baseUrl}/webhooks/registry/nope`, { method: 'POST', body: '{}' }), 404);
    assert.equal(post.code, 'UnknownProvider');
    await problem(await fetch(`${stack.baseUrl}/webhooks/registry/nope`, { method: 'OPTIONS', headers: { 'webhook-request-origin': 'eventgrid.azure.net' } }), 404);
  });

  it('2: an unresolved Key Vault reference as a webhook secret disables the provider; the literal is refused; readiness fails', async () => {
    const literal = '@Microsoft.KeyVault(SecretUri=https://kv-x.vault.azure.net/secrets/webhook-ghcr-secret)';
    const body = '{"zen":"hi"}';
    const { createHmac } = await import('node:crypto');
    const signature = `sha256=${createHmac('sha256', literal).update(body).digest('hex')}`;
    const forged = await fetch(`${stack.baseUrl}/webhooks/registry/ghcr`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-github-event': 'ping', 'x-hub-signature-256': signature }, body });
    assert.equal(forged.status, 401, 'a body signed with the literal reference is not accepted');
    const health = await stack.api('health');
    assert.equal(health.status, 503);
    const report = (await health.json()) as { checks: { name: string; status: string; detail?: string }[] };
    const settings = report.checks.find((c) => c.name === 'settings');
    assert.equal(settings?.status, 'failed');
    assert.match(settings?.detail ?? '', /WEBHOOK_GHCR_SECRET is an unresolved Key Vault reference/);
    assert.doesNotMatch(JSON.stringify(report), /kv-x\.vault/, 'the value is never echoed');
  });
});
