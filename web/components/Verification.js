// Each stage's latest verification: phase, who started it, when, soak, and per metric its counts
// last measurements, and its success and failure conditions when the api gives them.
import { html } from '../lib/html.js';
import { freightLabel, latestVerification, pipelineOrder } from '../lib/pipeline.js';
import { when } from '../lib/time.js';

function Metric({ m }) {
  return html`
    <tr>
      <th scope="row">${m.name}
        ${m.successCondition ? html`<span class="condition">success: <code>${m.successCondition}</code></span>` : null}
        ${m.failureCondition ? html`<span class="condition">failure: <code>${m.failureCondition}</code></span>` : null}</th>
      <td class=${`phase ${m.phase}`}>${m.phase}</td>
      <td>${m.successful}/${m.count}</td>
      <td>${m.failed}</td>
      <td>${m.inconclusive}</td>
      <td>${m.error}</td>
      <td>${(m.measurements ?? []).map((x, i) => html`<span key=${i} class=${`measure phase ${x.phase}`} title=${`${x.phase} at ${when(x.finishedAt)}${x.message ? `: ${x.message}` : ''}`}>${x.value ?? x.phase}</span>`)}
        ${m.message ? html`<p class="reason">${m.message}</p>` : null}</td>
    </tr>
  `;
}

function StageVerification({ stage, freight }) {
  const name = stage.metadata.name;
  const v = latestVerification(stage);
  if (!v) return html`<article class="card" aria-label=${`Verification of ${name}`}><h3>${name}</h3><p class="muted">${stage.spec?.verification ? 'Not verified yet.' : 'No verification configured.'}</p></article>`;
  const verified = freight.find((f) => f.metadata.name === v.freight?.[0])?.status?.verifiedIn?.[name];
  return html`
    <article class="card" aria-label=${`Verification of ${name}`}>
      <h3>${name}: <span class=${`phase ${v.phase}`}>${v.phase}</span></h3>
      <p class="muted">
        ${freightLabel(freight, v.freight?.[0])} · started ${when(v.startTime)}${v.actor ? ` by ${v.actor}` : ''}${v.finishTime ? ` · finished ${when(v.finishTime)}` : ''}
        ${v.soakUntil ? ` · soaking until ${when(v.soakUntil)}` : ''}${verified?.longestSoak ? ` · soak served ${verified.longestSoak}` : ''}
      </p>
      ${v.message ? html`<p class="reason">${v.message}</p>` : null}
      ${v.metrics?.length ? html`
        <div class="scroll"><table class="metrics">
          <caption>Metrics of ${name}'s verification</caption>
          <thead><tr><th scope="col">Metric</th><th scope="col">Phase</th><th scope="col">Passed</th><th scope="col">Failed</th><th scope="col">Inconclusive</th><th scope="col">Errors</th><th scope="col">Measurements</th></tr></thead>
          <tbody>${v.metrics.map((m) => html`<${Metric} key=${m.name} m=${m} />`)}</tbody>
        </table></div>` : null}
    </article>
  `;
}

export function Verification({ data }) {
  const byName = new Map(data.stages.map((s) => [s.metadata.name, s]));
  return html`<div class="cards">${pipelineOrder(data.warehouses, data.stages).map((n) => html`<${StageVerification} key=${n} stage=${byName.get(n)} freight=${data.freight} />`)}</div>`;
}
