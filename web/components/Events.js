// Kargo's lifecycle events of the project (GET /events): promotion created, succeeded, failed,
// freight verified, approval needed, and so on, newest first.
import { seg } from '../lib/api.js';
import { html } from '../lib/html.js';
import { when } from '../lib/time.js';
import { Unavailable, useOptional } from './Optional.js';

export function Events({ project, tick }) {
  const state = useOptional(`/projects/${seg(project)}/events?limit=50`, [tick]);
  if (!state.data) return html`<${Unavailable} state=${state} what="Lifecycle events" />`;
  const items = state.data.items ?? [];
  // An older api answers /events with its audit trail: no lifecycle events there.
  if (items.some((e) => e.kind === 'AuditEvent')) return html`<p class="muted unavailable">Lifecycle events: not available on this server.</p>`;
  return html`
    <ol id="events" class="events">
      ${items.length
        ? items.map((e) => html`<li key=${e.metadata?.name}>
            <span class="muted">${when(e.metadata?.creationTimestamp)}</span>
            ${' '}<strong class=${`reason-${e.reason}`}>${e.reason}</strong>
            ${' '}${e.involvedObject ? `${e.involvedObject.kind} ${e.involvedObject.name}` : ''}
            ${e.message ? html`<p class="reason">${e.message}</p>` : null}
          </li>`)
        : html`<li class="muted">No events yet.</li>`}
    </ol>
  `;
}
