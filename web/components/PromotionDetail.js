// One promotion in a dialog: what it promoted, who asked and approved, its steps, and what it
// changed (commits and diff, GET /promotions/:name/changes).
import { seg } from '../lib/api.js';
import { html } from '../lib/html.js';
import { actorOf, freightLabel } from '../lib/pipeline.js';
import { when } from '../lib/time.js';
import { Dialog } from './Dialog.js';
import { NotShown, useRead } from './Read.js';
import { StepsTable } from './StepsTable.js';

function Changes({ project, name, phase }) {
  const state = useRead(`/projects/${seg(project)}/promotions/${seg(name)}/changes`, [phase]);
  const missing = html`<${NotShown} state=${state} what="Changes" />`;
  if (!state.data) return missing;
  const { commits = [], files = [], truncated } = state.data;
  if (!commits.length && !files.length) return html`<p class="muted">It pushed nothing.</p>`;
  return html`
    <h4>Commits</h4>
    <ul class="commits">
      ${commits.map((c) => html`<li key=${c.sha}><code>${c.sha.slice(0, 7)}</code> ${c.message.split('\n')[0]} <span class="muted">· ${c.author} · ${when(c.date)} · ${c.repoURL}${c.branch ? ` (${c.branch})` : ''}</span></li>`)}
    </ul>
    <h4>Files</h4>
    ${truncated ? html`<p class="muted">Only the first commits and files are shown.</p>` : null}
    ${files.map((f) => html`
      <details class="file" key=${`${f.repoURL} ${f.path}`} open=${files.length <= 5}>
        <summary><span class=${`change ${f.change}`}>${f.change}</span> <code>${f.previousPath ? `${f.previousPath} → ` : ''}${f.path}</code> <span class="add">+${f.additions}</span> <span class="del">−${f.deletions}</span></summary>
        <pre class="diff">${(f.patch ?? '').split('\n').map((line, i) => html`<span key=${i} class=${line.startsWith('+') ? 'add' : line.startsWith('-') ? 'del' : line.startsWith('@@') ? 'hunk' : undefined}>${`${line}\n`}</span>`)}</pre>
        ${f.binary ? html`<p class="muted">A binary file: no diff.</p>` : null}
        ${f.truncated ? html`<p class="muted">The diff is cut short.</p>` : null}
      </details>`)}
  `;
}

export function PromotionDetail({ project, data, name, onClose }) {
  const p = data.promotions.find((x) => x.metadata.name === name);
  return html`
    <${Dialog} title=${`Promotion ${name}`} onClose=${onClose}>
      ${!p ? html`<p>This promotion is gone.</p>` : html`
        <dl class="facts">
          <dt>Stage</dt><dd>${p.spec.stage}</dd>
          <dt>Freight</dt><dd>${freightLabel(data.freight, p.spec.freight)}</dd>
          <dt>Phase</dt><dd class=${`phase ${p.status.phase}`}>${p.status.phase}${p.status.message ? `: ${p.status.message}` : ''}</dd>
          <dt>Asked by</dt><dd>${actorOf(p) ?? (p.status.autoPromotion ? 'auto-promotion' : '—')} · ${when(p.metadata.creationTimestamp)}</dd>
          ${p.status.waitingForApproval ? html`<dt>Waiting</dt><dd>for approval (${p.status.waitingForApproval.gate}) since ${when(p.status.waitingForApproval.since)}</dd>` : null}
          ${(p.status.approvals ?? []).map((a, i) => html`<dt key=${`a${i}`}>Approved</dt><dd key=${`b${i}`}>${a.gate} by ${a.approvedBy} · ${when(a.approvedAt)}</dd>`)}
          ${p.status.retryOf ? html`<dt>Retry of</dt><dd>${p.status.retryOf}</dd>` : null}
        </dl>
        <${StepsTable} promotion=${p} />
        <h3>What it changed</h3>
        <${Changes} project=${project} name=${name} phase=${p.status.phase} />`}
    <//>
  `;
}
