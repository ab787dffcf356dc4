// Who gets the console's page: open locally, only signed-in operators in Azure.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isAppError } from '../../../shared/errors';
import { consoleSignInEnvironment, consoleSignInGate } from '../../../shared/http/consoleSignIn';

const headers = (h: Record<string, string>) => ({ get: (name: string) => h[name.toLowerCase()] ?? null });
const azure = consoleSignInEnvironment({ WEBSITE_AUTH_ENABLED: 'True' }, false);

describe('console sign-in gate', () => {
  it('serves the page locally without any sign-in (the page asks for the function key)', () => {
    assert.equal(consoleSignInGate(consoleSignInEnvironment({}, true), headers({}), '/api/console/'), undefined);
  });

  it('in Azure, sends a signed-out browser to the Entra ID sign-in and back to the page it asked for', () => {
    const answer = consoleSignInGate(azure, headers({}), '/api/console/#/deployments/sensor?x=1');
    assert.equal(answer?.status, 302);
    assert.equal((answer?.headers as Record<string, string>).location, '/.auth/login/aad?post_login_redirect_uri=%2Fapi%2Fconsole%2F%23%2Fdeployments%2Fsensor%3Fx%3D1');
  });

  it('in Azure, serves an operator Easy Auth signed in (App Service injects x-ms-client-principal-id)', () => {
    assert.equal(consoleSignInGate(azure, headers({ 'x-ms-client-principal-id': '00000000-0000-0000-0000-000000000001' }), '/api/console/'), undefined);
  });

  it('in Azure without Easy Auth, refuses to serve, even to a request that sends the principal header itself', () => {
    const off = consoleSignInEnvironment({}, false);
    for (const h of [{}, { 'x-ms-client-principal-id': 'forged' }] as Record<string, string>[]) {
      assert.throws(
        () => consoleSignInGate(off, headers(h), '/api/console/'),
        (e: unknown) => isAppError(e) && e.status === 403 && e.code === 'ConsoleSignInNotConfigured',
      );
    }
  });
});
