// Who may load the console's page in each place it runs. Locally (LOCAL_DEV)
// the page is open and asks for the function key. In Azure the page is served
// only behind App Service authentication (Easy Auth, infra/modules/easyauth.bicep):
// App Service sets WEBSITE_AUTH_ENABLED=True when it is on, and after sign-in
// injects `x-ms-client-principal-id` into every request, stripping any copy a
// client sent (Microsoft Learn, "Work with user identities in Azure App Service
// authentication", "Access user claims in app code"). A signed-out browser is
// sent to the Entra ID sign-in and back to the page it asked for.
import type { HttpResponseInit } from '@azure/functions';
import { AppError } from '../errors';

export interface ConsoleSignInEnvironment {
  /** LOCAL_DEV=true: the local stack. */
  readonly localDev: boolean;
  /** WEBSITE_AUTH_ENABLED, set by App Service when Easy Auth is on. */
  readonly authEnabled: boolean;
}

/** `localDev`: the app's LOCAL_DEV setting, as loadSettings read it. WEBSITE_AUTH_ENABLED is App Service's own variable ("True"). */
export function consoleSignInEnvironment(env: Readonly<Record<string, string | undefined>>, localDev: boolean): ConsoleSignInEnvironment {
  return { localDev, authEnabled: /^(true|1)$/i.test(env.WEBSITE_AUTH_ENABLED ?? '') };
}

/** undefined: serve the page. Otherwise the answer that replaces it (a redirect to sign in). Throws when the console cannot be served safely. */
export function consoleSignInGate(env: ConsoleSignInEnvironment, headers: { get(name: string): string | null }, pathAndQuery: string): HttpResponseInit | undefined {
  if (env.localDev) return undefined;
  if (!env.authEnabled) {
    throw new AppError(
      'ConsoleSignInNotConfigured',
      403,
      'The console is served in Azure only behind App Service sign-in (Easy Auth). Deploy infra/ with the consoleSignInClientId parameter: see docs/console.md.',
      { retryable: false },
    );
  }
  if (headers.get('x-ms-client-principal-id')) return undefined;
  return { status: 302, headers: { location: `/.auth/login/aad?post_login_redirect_uri=${encodeURIComponent(pathAndQuery)}`, 'cache-control': 'no-store' } };
}
