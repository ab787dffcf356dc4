import { useState } from 'preact/hooks';
import { storeKey } from '../api';

// Locally the API wants the function key (`.local/stack.json`, `functionKey`).
// It is asked for once and kept in sessionStorage: gone when the tab closes.
export function KeyPrompt({ onDone }: { onDone: () => void }) {
  const [key, setKey] = useState('');
  return (
    <section class="card key-prompt" aria-labelledby="key-title">
      <h2 id="key-title">Function key</h2>
      <p>
        The API needs the function key. Locally it is <code>functionKey</code> in <code>.local/stack.json</code>. It is kept for this browser tab's session only and sent as the{' '}
        <code>x-functions-key</code> header.
      </p>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (!key.trim()) return;
          storeKey(key.trim());
          onDone();
        }}
      >
        <label for="function-key">Function key</label>
        <input id="function-key" name="function-key" type="password" autocomplete="off" required value={key} onInput={(e) => setKey(e.currentTarget.value)} />
        <button type="submit" class="primary">Use key</button>
      </form>
    </section>
  );
}
