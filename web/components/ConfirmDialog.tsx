import { useEffect, useRef } from 'preact/hooks';
import type { Confirmation } from '../model/confirmations';

// A modal <dialog>: the browser traps focus, Escape cancels, and focus goes
// back where it was. Cancel is focused first, so Enter never confirms by accident.
export function ConfirmDialog({ confirmation, onConfirm, onCancel }: { confirmation: Confirmation; onConfirm: () => void; onCancel: () => void }) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const dialog = ref.current;
    if (dialog && !dialog.open) dialog.showModal();
    return () => dialog?.close();
  }, []);
  return (
    <dialog ref={ref} class="confirm" aria-labelledby="confirm-title" aria-describedby="confirm-body" onCancel={(e) => { e.preventDefault(); onCancel(); }}>
      <h2 id="confirm-title">{confirmation.title}</h2>
      <p id="confirm-body">{confirmation.body}</p>
      <div class="actions">
        <button type="button" autofocus onClick={onCancel}>Cancel</button>
        <button type="button" class={confirmation.danger ? 'danger' : 'primary'} onClick={onConfirm}>{confirmation.confirm}</button>
      </div>
    </dialog>
  );
}
