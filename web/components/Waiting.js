// Promotions waiting for an approval the caller may give (GET /approvals?for=me, read by the
// App), with one-click approve, or reject (which aborts the promotion).
import { API, api, seg } from '../lib/api.js';
import { html } from '../lib/html.js';
import { when } from '../lib/time.js';
import { NotShown } from './Read.js';

const nameOf = (a) => a.promotion;
const freightOf = (a) => a.freight?.alias ?? a.freight?.name;

export function Waiting({ project, approvals, busy, run }) {
  if (!approvals.data) return html`<${NotShown} state=${approvals} what="Waiting for me" />`;
  const items = approvals.data.items;
  if (!items.length) return html`<p id="waiting" class="muted">Nothing waits for you.</p>`;
  const path = `/projects/${seg(project)}/promotions`;
  return html`
    <ul id="waiting" class="waiting">
      ${items.map((a) => {
        const name = nameOf(a);
        return html`
          <li key=${name} aria-label=${`Waiting: ${name}`}>
            <strong>${name}</strong> · ${a.stage} · ${freightOf(a)}${a.requestedBy ? ` · asked by ${a.requestedBy}` : ''} · waiting since ${when(a.requestedAt)}${a.gate && a.gate !== 'stage' ? ` at step ${a.gate}` : ''}
            ${a.message ? html`<p class="reason">${a.message}</p>` : null}
            ${a.approving ? html`<p class="reason">${a.approving}</p>` : null}
            <div class="actions">
              <button type="button" class="primary" data-action="" disabled=${busy} onClick=${() => run(`Approve ${name}`, async () => {
                // The api names the request that approves it.
                await api(a.approve.method, a.approve.path.slice(API.length), {});
                return `${name} approved`;
              })}>Approve ${name}</button>
              <button type="button" data-action="" disabled=${busy} onClick=${() => run(`Reject ${name}`, async () => {
                await api('POST', `${path}/${seg(name)}/abort`, {});
                return `${name} rejected: its promotion is aborted`;
              })}>Reject ${name}</button>
            </div>
          </li>`;
      })}
    </ul>
  `;
}
