// The console shell: sign-in (Easy Auth in Azure, the function key locally),
// the views by hash route, and one live region that announces what actions did.
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { easyAuthState, onKeyNeeded, signInUrl, storedKey } from './api';
import { KeyPrompt } from './components/KeyPrompt';
import { href, type Route, useRoute } from './router';
import { DevicesView } from './views/DevicesView';
import { DeviceView } from './views/DeviceView';
import { Overview } from './views/Overview';
import { RevisionsView } from './views/RevisionsView';
import { RolloutView } from './views/RolloutView';

function View({ route, announce }: { route: Route; announce: (m: string) => void }) {
  switch (route.view) {
    case 'overview':
      return <Overview />;
    case 'rollout':
      return <RolloutView id={route.id} announce={announce} />;
    case 'devices':
      return <DevicesView id={route.id} state={route.state} />;
    case 'revisions':
      return <RevisionsView id={route.id} announce={announce} />;
    case 'device':
      return <DeviceView hub={route.hub} deviceId={route.deviceId} deployment={route.deployment} />;
  }
}

function App() {
  const route = useRoute();
  const [auth, setAuth] = useState<'checking' | 'signed-in' | 'signed-out' | 'absent'>('checking');
  const [needKey, setNeedKey] = useState(false);
  const [message, setMessage] = useState('');
  const [generation, setGeneration] = useState(0);

  useEffect(() => {
    void easyAuthState().then((state) => {
      setAuth(state);
      // Locally (no Easy Auth) the key is asked for up front; in Azure only if the API wants one.
      if (state === 'absent' && !storedKey()) setNeedKey(true);
    });
    return onKeyNeeded(() => setNeedKey(true));
  }, []);

  useEffect(() => {
    document.querySelector<HTMLElement>('main')?.focus({ preventScroll: true });
  }, [route]);

  return (
    <>
      <a class="skip" href="#main">Skip to content</a>
      <header class="top">
        <a class="brand" href={href.overview()}>
          <span aria-hidden="true" class="logo" />
          Fleet console
        </a>
        <span class="muted top-note">edge deployments across regional IoT Hubs</span>
      </header>
      <main id="main" tabIndex={-1}>
        <p class="sr-only" role="status" aria-live="polite" data-testid="announcer">
          {message}
        </p>
        {message ? (
          <p class="notice" aria-hidden="true">
            {message}
          </p>
        ) : null}
        {auth === 'checking' ? null : auth === 'signed-out' ? (
          <section class="card">
            <h2>Sign in</h2>
            <p>
              <a class="button primary" href={signInUrl()}>Sign in with Microsoft Entra ID</a>
            </p>
          </section>
        ) : needKey ? (
          <KeyPrompt
            onDone={() => {
              setNeedKey(false);
              setGeneration((g) => g + 1);
            }}
          />
        ) : (
          <View key={generation} route={route} announce={setMessage} />
        )}
      </main>
    </>
  );
}

render(<App />, document.getElementById('app')!);
