// Issue #16 item 2: when a Key Vault secret behind a webhook setting does not
// exist, App Service leaves the literal `@Microsoft.KeyVault(SecretUri=...)`
// as the setting's value (Microsoft Learn, "Use Key Vault references as app
// settings": "If a reference isn't resolved properly, the reference string is
// used instead"). That literal can be guessed from the app's name, so it must
// never be a usable secret: every provider so configured is disabled (401 to a
// token, signature or bearer made from the literal, as docs/registry-webhooks.md
// says of a provider without a secret), readiness fails naming the setting,
// and the value is echoed nowhere.
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { type AppStack, startAppStack } from '../../helpers/appStack';

const reference = (name: string) => `@Microsoft.KeyVault(SecretUri=https://kv-fleet.vault.azure.net/secrets/${name}/)`;
const UNRESOLVED = {
  WEBHOOK_DOCKERHUB_TOKEN: reference('webhook-dockerhub-token'),
  WEBHOOK_HARBOR_SECRET: reference('webhook-harbor-secret'),
  WEBHOOK_CLOUDEVENTS_TOKEN: reference('webhook-cloudevents-token'),
  WEBHOOK_GENERIC_SECRET: reference('webhook-generic-secret'),
  WEBHOOK_GHCR_SECRET: reference('webhook-ghcr-secret'),
};
// One provider with a real secret: its endpoint works, so the 401s above are the disabling, not a broken route.
const ACR_TOKEN = 'acr-test-token-7d1e0c';

describe('an unresolved Key Vault reference as a webhook secret (issue #16 item 2)', () => {
  let stack: AppStack;
  before(async () => {
    stack = await startAppStack({ settings: { ...UNRESOLVED, WEBHOOK_ACR_TOKEN: ACR_TOKEN } });
  });
  after(async () => stack.stop());

  const webhook = (provider: string, init: RequestInit & { query?: string }) =>
    fetch(`${stack.baseUrl}/webhooks/registry/${provider}${init.query ?? ''}`, { method: 'POST', ...init });
  const body = '{"zen":"hi"}';
  const sign = (secret: string) => `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;

  it('refuses the literal as a token, a bearer and an HMAC key with 401, for every provider it configures', async () => {
    const forged: [string, Response][] = [
      ['dockerhub', await webhook('dockerhub', { query: `?token=${encodeURIComponent(UNRESOLVED.WEBHOOK_DOCKERHUB_TOKEN)}`, headers: { 'content-type': 'application/json' }, body })],
      ['harbor', await webhook('harbor', { headers: { 'content-type': 'application/json', authorization: UNRESOLVED.WEBHOOK_HARBOR_SECRET }, body })],
      ['cloudevents', await webhook('cloudevents', { headers: { 'content-type': 'application/cloudevents+json', authorization: `Bearer ${UNRESOLVED.WEBHOOK_CLOUDEVENTS_TOKEN}` }, body })],
      ['generic', await webhook('generic', { headers: { 'content-type': 'application/json', 'x-signature-256': sign(UNRESOLVED.WEBHOOK_GENERIC_SECRET) }, body })],
      ['ghcr', await webhook('ghcr', { headers: { 'content-type': 'application/json', 'x-github-event': 'ping', 'x-hub-signature-256': sign(UNRESOLVED.WEBHOOK_GHCR_SECRET) }, body })],
    ];
    for (const [provider, response] of forged) {
      const text = await response.text();
      assert.equal(response.status, 401, `${provider}: ${text}`);
      assert.doesNotMatch(text, /kv-fleet|KeyVault/, `${provider}: the value is not echoed`);
    }
    for (const [provider] of forged) {
      assert.ok(
        stack.logs.some((l) => l.message.includes('"registry.webhook.unauthenticated"') && l.message.includes(`"provider":"${provider}"`) && l.message.includes('the provider is disabled')),
        `${provider}: the log says the provider is disabled`,
      );
    }
    const acr = await webhook('acr', { headers: { 'content-type': 'application/json', authorization: `Bearer ${ACR_TOKEN}` }, body });
    assert.notEqual(acr.status, 401, 'a provider with a real secret authenticates');
  });

  it('fails readiness naming each setting, and logs and answers never hold the value', async () => {
    const health = await stack.api('health');
    assert.equal(health.status, 503);
    const text = await health.text();
    const report = JSON.parse(text) as { checks: { name: string; status: string; detail?: string }[] };
    const settings = report.checks.find((c) => c.name === 'settings');
    assert.equal(settings?.status, 'failed');
    // Every setting is named, however many are unusable; the reason follows.
    for (const name of Object.keys(UNRESOLVED)) assert.ok(settings?.detail?.includes(name), `${name} in: ${settings?.detail}`);
    assert.match(settings?.detail ?? '', /is an unresolved Key Vault reference/);
    assert.doesNotMatch(text, /kv-fleet/);
    assert.ok(!stack.logs.some((l) => l.message.includes('kv-fleet')), 'no log line holds a reference');
  });
});
