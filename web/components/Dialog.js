// A modal dialog (the native <dialog>): the page behind it is inert, Tab and Shift+Tab cycle
// within it (never out to the browser), Escape or the Close button closes it, and focus returns
// to what opened it.
import { useEffect, useRef } from '/vendor/hooks.mjs';
import { html } from '../lib/html.js';

const FOCUSABLE = 'a[href], button, input, select, textarea, summary, [tabindex]:not([tabindex="-1"])';

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
  const trap = (e) => {
    if (e.key !== 'Tab') return;
    const focusable = [...ref.current.querySelectorAll(FOCUSABLE)].filter((el) => !el.disabled && el.offsetParent !== null);
    if (!focusable.length) return;
    const first = focusable[0];
    const last = focusable[focusable.length - 1];
    if (e.shiftKey && document.activeElement === first) {
      e.preventDefault();
      last.focus();
    } else if (!e.shiftKey && document.activeElement === last) {
      e.preventDefault();
      first.focus();
    }
  };
  return html`
    <dialog ref=${ref} onKeyDown=${trap} class="dialog" aria-labelledby="dialog-title">
      <header class="dialog-head">
        <h2 id="dialog-title">${title}</h2>
        <button type="button" onClick=${() => ref.current.close()}>Close</button>
      </header>
      <div class="dialog-body">${children}</div>
    </dialog>
  `;
}
