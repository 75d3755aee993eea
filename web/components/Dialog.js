// A modal dialog (the native <dialog>): the page behind it is inert, so focus stays inside; Escape
// or the Close button closes it and focus returns to what opened it.
import { useEffect, useRef } from '/vendor/hooks.mjs';
import { html } from '../lib/html.js';

export function Dialog({ title, onClose, children }) {
  const ref = useRef(null);
  useEffect(() => {
    const dialog = ref.current;
    const opener = document.activeElement;
    dialog.showModal();
    const closed = () => onClose();
    dialog.addEventListener('close', closed);
    return () => {
      dialog.removeEventListener('close', closed);
      if (dialog.open) dialog.close();
      opener?.focus?.();
    };
  }, []);
  return html`
    <dialog ref=${ref} class="dialog" aria-labelledby="dialog-title">
      <header class="dialog-head">
        <h2 id="dialog-title">${title}</h2>
        <button type="button" onClick=${() => ref.current.close()}>Close</button>
      </header>
      <div class="dialog-body">${children}</div>
    </dialog>
  `;
}
