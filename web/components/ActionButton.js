// A button that runs an action, or a disabled one with the api's reason visible and announced.
import { html } from '../lib/html.js';

const idOf = (label) => `reason-${label.replace(/[^A-Za-z0-9]+/g, '-').toLowerCase()}`;

/** `decision`: the api's {allowed, reason} (from /whoami); `busy`: another action runs. */
export function ActionButton({ label, decision, busy, onRun, primary = false }) {
  const allowed = decision?.allowed !== false;
  const id = idOf(label);
  return html`
    <button type="button" class=${primary ? 'primary' : undefined} data-action="" disabled=${!allowed || busy}
      aria-describedby=${allowed ? undefined : id} title=${allowed ? undefined : decision.reason}
      onClick=${() => allowed && onRun(label)}>${label}</button>
    ${allowed ? null : html`<p id=${id} class="reason">${decision.reason}</p>`}
  `;
}
