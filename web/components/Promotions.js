// The promotions of one stage, newest first, each with its steps and a button to its detail.
import { html } from '../lib/html.js';
import { actorOf, freightLabel, pipelineOrder } from '../lib/pipeline.js';
import { ago } from '../lib/time.js';
import { StepsTable } from './StepsTable.js';

export function Promotions({ data, stage, onStage, onDetail }) {
  const names = pipelineOrder(data.warehouses, data.stages);
  const shown = names.includes(stage) ? stage : (names[0] ?? '');
  const mine = data.promotions.filter((p) => p.spec.stage === shown).reverse();
  return html`
    <form class="inline" aria-label="Stage of the history" onSubmit=${(e) => e.preventDefault()}>
      <label for="history-stage">Stage</label>
      <select id="history-stage" value=${shown} onChange=${(e) => onStage(e.currentTarget.value)}>
        ${names.map((n) => html`<option key=${n} value=${n}>${n}</option>`)}
      </select>
    </form>
    <ol id="history" class="history" reversed>
      ${mine.length
        ? mine.map((p) => html`
          <li key=${p.metadata.name} aria-label=${`Promotion ${p.metadata.name}`}>
            <div>
              <strong>${p.metadata.name}</strong>${' '}<span class=${`phase ${p.status.phase}`}>${p.status.phase}</span>
              ${' · '}${freightLabel(data.freight, p.spec.freight)}
              ${actorOf(p) ? ` · by ${actorOf(p)}` : ''}
              ${` · ${ago(p.status.finishedAt ?? p.status.startedAt ?? p.metadata.creationTimestamp)}`}
              ${p.status.temporalUiUrl ? html` · <a href=${p.status.temporalUiUrl} target="_blank" rel="noopener">run in Temporal</a>` : ''}
              ${' '}<button type="button" class="link" onClick=${() => onDetail(p.metadata.name)}>Details of ${p.metadata.name}</button>
            </div>
            ${p.status.message ? html`<p class="reason">${p.status.message}</p>` : null}
            <${StepsTable} promotion=${p} />
          </li>`)
        : html`<li>No promotions of ${shown || 'this stage'} yet.</li>`}
    </ol>
  `;
}
