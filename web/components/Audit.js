// The project's audit trail (GET /audit), newest first, filtered by the api by stage, actor,
// action and outcome (denied requests included).
import { useState } from '/vendor/hooks.mjs';
import { seg } from '../lib/api.js';
import { html } from '../lib/html.js';
import { pipelineOrder } from '../lib/pipeline.js';
import { when } from '../lib/time.js';
import { NotShown, useRead } from './Read.js';

const ACTIONS = ['promote', 'approve', 'retry', 'abort', 'verify', 'abort-verification', 'apply', 'delete', 'refresh', 'update', 'change'];
const OUTCOMES = ['succeeded', 'denied', 'refused', 'failed'];
const LIMIT = 100;

function Select({ id, label, value, options, onChange }) {
  return html`
    <label for=${id}>${label}</label>
    <select id=${id} value=${value} onChange=${(e) => onChange(e.currentTarget.value)}>
      <option value="">any</option>
      ${options.map((o) => html`<option key=${o} value=${o}>${o}</option>`)}
    </select>
  `;
}

export function Audit({ data, project, tick }) {
  const [filter, setFilter] = useState({ stage: '', actor: '', action: '', outcome: '' });
  const [actor, setActor] = useState('');
  const set = (key) => (value) => setFilter({ ...filter, [key]: value });
  const query = new URLSearchParams({ ...Object.fromEntries(Object.entries(filter).filter(([, v]) => v)), limit: String(LIMIT) });
  const state = useRead(`/projects/${seg(project)}/audit?${query}`, [tick]);
  const items = state.data?.items ?? [];
  return html`
    <form class="inline wrap filters" aria-label="Audit filters" onSubmit=${(e) => {
      e.preventDefault();
      setFilter({ ...filter, actor: actor.trim() });
    }}>
      <${Select} id="audit-stage" label="Stage" value=${filter.stage} options=${pipelineOrder(data.warehouses, data.stages)} onChange=${set('stage')} />
      <${Select} id="audit-action" label="Action" value=${filter.action} options=${ACTIONS} onChange=${set('action')} />
      <${Select} id="audit-outcome" label="Outcome" value=${filter.outcome} options=${OUTCOMES} onChange=${set('outcome')} />
      <label for="audit-actor">Actor</label>
      <input id="audit-actor" type="search" value=${actor} onInput=${(e) => setActor(e.currentTarget.value)} />
      <button type="submit">Filter</button>
    </form>
    ${state.data ? html`
      <div class="scroll"><table id="audit">
        <caption>Who did what, newest first${items.length === LIMIT ? ` (the latest ${LIMIT})` : ''}</caption>
        <thead><tr><th scope="col">When</th><th scope="col">Actor</th><th scope="col">Action</th><th scope="col">Target</th><th scope="col">Outcome</th></tr></thead>
        <tbody>
          ${items.length
            ? items.map((e) => html`<tr key=${e.metadata?.name ?? e.id}>
                <td>${when(e.time ?? e.metadata?.creationTimestamp)}</td>
                <td>${e.actor}</td>
                <td>${e.action}</td>
                <td>${Object.entries(e.target ?? {}).map(([k, v]) => `${k} ${v}`).join(', ')}</td>
                <td class=${`outcome ${e.outcome}`}>${e.outcome}${e.reason ? html`<p class="reason">${e.reason}</p>` : null}</td>
              </tr>`)
            : html`<tr><td colspan="5">Nothing matches.</td></tr>`}
        </tbody>
      </table></div>` : html`<${NotShown} state=${state} what="The audit trail" />`}
  `;
}
