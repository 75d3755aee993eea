// Two stages side by side (GET /stages/:stage/compare?with=): image tags and digests, chart
// versions, and the git commits between their revisions.
import { useState } from '/vendor/hooks.mjs';
import { seg } from '../lib/api.js';
import { html } from '../lib/html.js';
import { pipelineOrder } from '../lib/pipeline.js';
import { when } from '../lib/time.js';
import { NotShown, useRead } from './Read.js';

const img = (x) => [x?.tag, x?.digest ? x.digest.slice(0, 19) : undefined].filter(Boolean).join(' ') || '—';

function Result({ project, a, b, tick }) {
  const state = useRead(a && b ? `/projects/${seg(project)}/stages/${seg(a)}/compare?with=${seg(b)}` : '', [tick]);
  if (!state.data) return html`<${NotShown} state=${state} what="Stage compare" />`;
  const { images = [], charts = [], commits = [] } = state.data;
  const differs = (x, y) => (x === y ? '' : 'differs');
  return html`
    <div class="scroll"><table id="compare-table">
      <caption>${a} compared with ${b}</caption>
      <thead><tr><th scope="col">Artifact</th><th scope="col">${a}</th><th scope="col">${b}</th></tr></thead>
      <tbody>
        ${images.map((i) => html`<tr key=${`i${i.repoURL}`} class=${differs(img(i.stage), img(i.with))}><th scope="row">image ${i.repoURL}</th><td>${img(i.stage)}</td><td>${img(i.with)}</td></tr>`)}
        ${charts.map((c) => html`<tr key=${`c${c.repoURL}${c.name}`} class=${differs(c.stage, c.with)}><th scope="row">chart ${c.name ?? c.repoURL}</th><td>${c.stage ?? '—'}</td><td>${c.with ?? '—'}</td></tr>`)}
        ${commits.map((c) => html`<tr key=${`g${c.repoURL}`} class=${differs(c.stage, c.with)}><th scope="row">git ${c.repoURL}</th><td>${c.stage?.slice(0, 7) ?? '—'}</td><td>${c.with?.slice(0, 7) ?? '—'}</td></tr>`)}
        ${!images.length && !charts.length && !commits.length ? html`<tr><td colspan="3">Neither stage holds freight.</td></tr>` : null}
      </tbody>
    </table></div>
    ${commits.filter((c) => c.message).map((c) => html`<p class="reason" key=${`m${c.repoURL}`}>${c.repoURL}: ${c.message}</p>`)}
    ${commits.filter((c) => c.between?.length).map((c) => html`
      <h4 key=${`h${c.repoURL}`}>Commits between them in ${c.repoURL}${c.truncated ? ' (the newest only)' : ''}</h4>
      <ul class="commits" key=${`u${c.repoURL}`}>${c.between.map((x) => html`<li key=${x.sha}><code>${x.sha.slice(0, 7)}</code> ${x.message.split('\n')[0]} <span class="muted">· ${x.author} · ${when(x.date)}</span></li>`)}</ul>`)}
  `;
}

export function Compare({ data, project, tick }) {
  const names = pipelineOrder(data.warehouses, data.stages);
  const [a, setA] = useState('');
  const [b, setB] = useState('');
  const left = names.includes(a) ? a : (names[0] ?? '');
  const right = names.includes(b) ? b : (names[names.length - 1] ?? '');
  return html`
    <form class="inline wrap" aria-label="Stages to compare" onSubmit=${(e) => e.preventDefault()}>
      <label for="compare-a">Stage</label>
      <select id="compare-a" value=${left} onChange=${(e) => setA(e.currentTarget.value)}>${names.map((n) => html`<option key=${n} value=${n}>${n}</option>`)}</select>
      <label for="compare-b">with</label>
      <select id="compare-b" value=${right} onChange=${(e) => setB(e.currentTarget.value)}>${names.map((n) => html`<option key=${n} value=${n}>${n}</option>`)}</select>
    </form>
    <div id="compare">${left && right ? html`<${Result} project=${project} a=${left} b=${right} tick=${tick} />` : null}</div>
  `;
}
