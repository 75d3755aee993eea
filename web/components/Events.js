// Kargo's lifecycle events of the project (GET /events): promotion created, succeeded, failed,
// freight verified, approval needed, and so on, newest first.
import { seg } from '../lib/api.js';
import { html } from '../lib/html.js';
import { when } from '../lib/time.js';
import { NotShown, useRead } from './Read.js';

export function Events({ project, tick }) {
  const state = useRead(`/projects/${seg(project)}/events?limit=50`, [tick]);
  if (!state.data) return html`<${NotShown} state=${state} what="Lifecycle events" />`;
  const items = state.data.items ?? [];
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
