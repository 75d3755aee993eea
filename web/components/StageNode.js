// A stage in the graph: its freight, health, verification and soak, and the actions the api
// allows the caller (promote, promote downstream, approve, retry, abort), each refused one with
// the api's reason.
import { useState } from '/vendor/hooks.mjs';
import { api, seg } from '../lib/api.js';
import { html } from '../lib/html.js';
import { currentFreightId, downstreamOf, freightLabel, latestVerification } from '../lib/pipeline.js';
import { ago, left } from '../lib/time.js';
import { ActionButton } from './ActionButton.js';

/** The stage's Verified condition as the api decides it: why not, or since when and how. */
function VerifiedText({ stage, verified, current }) {
  const c = (stage.status?.conditions ?? []).find((x) => x.type === 'Verified');
  if (c && c.status !== 'True') return html`<span class=${`phase ${c.reason.replace(/^Verification/, '')}`}>${c.reason}: ${c.message}</span>`;
  if (verified) return `yes, ${ago(verified.verifiedAt)}${c?.message && c.message !== 'Freight has been verified' ? ` (${c.message})` : ''}`;
  return current ? 'not yet' : '—';
}

function soakText(stage, verified) {
  const v = latestVerification(stage);
  const until = v?.soakUntil ? Date.parse(v.soakUntil) - Date.now() : 0;
  if (until > 0) return `soaking, ${left(until)} left`;
  return verified?.longestSoak ? `served ${verified.longestSoak}` : undefined;
}

export function StageNode({ stage, data, project, permissions, approvals, busy, run, onShowHistory }) {
  const { freight, promotions, stages } = data;
  const name = stage.metadata.name;
  const current = currentFreightId(stage);
  const health = stage.status?.health?.status ?? 'Unknown';
  const last = stage.status?.lastPromotion;
  const running = stage.status?.currentPromotion;
  const phase = running ? 'Running' : (last?.status?.phase ?? '');
  const f = freight.find((x) => x.metadata.name === current);
  const verified = f?.status?.verifiedIn?.[name];
  const soak = soakText(stage, verified);
  const perm = permissions(name);
  const verdicts = stage.status?.freightAvailability ?? [];
  const candidates = verdicts.filter((e) => e.available);
  const refused = verdicts.filter((e) => !e.available);
  const [chosen, setChosen] = useState('');
  const selected = candidates.some((c) => c.freight === chosen) ? chosen : (candidates[0]?.freight ?? '');
  const mine = promotions.filter((p) => p.spec.stage === name);
  const latest = mine[mine.length - 1];
  const live = mine.filter((p) => ['Running', 'Pending'].includes(p.status?.phase));
  const downstream = downstreamOf(stages, name);
  const downstreamDecision = downstream.map((d) => permissions(d).promote).find((d) => d?.allowed === false) ?? { allowed: true };
  const path = `/projects/${seg(project)}`;
  const approveDecision = (promotion) => {
    const refusal = approvals?.data?.refused.find((r) => r.promotion === promotion);
    return refusal ? { allowed: false, reason: refusal.reason } : perm.approve;
  };

  return html`
    <article class=${`node stage ${health} ${phase}`} id=${`node-stage-${name}`} aria-label=${`Stage ${name}`}>
      <h3><button type="button" class="link" onClick=${() => onShowHistory(name)} aria-label=${`Show the promotions of ${name}`}>Stage ${name}</button></h3>
      <dl>
        <dt>Freight</dt><dd data-testid=${`current-${name}`}>${freightLabel(freight, current)}</dd>
        <dt>Health</dt><dd>${health}</dd>
        <dt>Verified</dt><dd data-testid=${`verified-${name}`}><${VerifiedText} stage=${stage} verified=${verified} current=${current} /></dd>
        ${soak ? html`<dt>Soak</dt><dd data-testid=${`soak-${name}`}>${soak}</dd>` : null}
        <dt>Promotion</dt>
        <dd>${running
          ? html`<span class="phase Running">${running.name} running</span>`
          : last ? html`<span class=${`phase ${last.status?.phase}`}>${last.name}: ${last.status?.phase}</span>` : '—'}</dd>
      </dl>
      <div class="actions">
        ${!candidates.length && refused[0]?.reason ? html`<p class="reason">Nothing to promote: ${refused[0].reason}</p>` : null}
        ${candidates.length ? html`
          <label for=${`promote-${name}`}>Freight</label>
          <select id=${`promote-${name}`} name=${`promote-${name}`} value=${selected} onChange=${(e) => setChosen(e.currentTarget.value)}>
            ${candidates.map((c) => html`<option key=${c.freight} value=${c.freight}>${freightLabel(freight, c.freight)}</option>`)}
          </select>
          <${ActionButton} label=${`Promote to ${name}`} decision=${perm.promote} busy=${busy} primary onRun=${(label) => run(label, async () => {
            const p = await api('POST', `${path}/promotions`, { stage: name, freight: selected });
            onShowHistory(name, false);
            return `Promotion ${p.metadata.name} queued`;
          })} />` : null}
        ${current && downstream.length ? html`<${ActionButton} label=${`Promote ${name}'s freight downstream`} decision=${downstreamDecision} busy=${busy} onRun=${(label) => run(label, async () => {
            const r = await api('POST', `${path}/stages/${seg(name)}/promotions/downstream`, { freight: current });
            return `${r.promotions.length} promotion(s) queued: ${r.promotions.map((p) => p.spec.stage).join(', ') || 'none'}`;
          })} />` : null}
        ${latest && ['Failed', 'Errored'].includes(latest.status?.phase) ? html`<${ActionButton} label=${`Retry ${latest.metadata.name}`} decision=${perm.promote} busy=${busy} onRun=${(label) => run(label, async () => {
            await api('POST', `${path}/promotions/${seg(latest.metadata.name)}/retry`, {});
            return `Retry of ${latest.metadata.name} requested`;
          })} />` : null}
        ${live.map((p) => html`
          ${p.status?.waitingForApproval ? html`<${ActionButton} label=${`Approve ${p.metadata.name}`} decision=${approveDecision(p.metadata.name)} busy=${busy} onRun=${(label) => run(label, async () => {
            await api('POST', `${path}/promotions/${seg(p.metadata.name)}/approve`, {});
            return `${p.metadata.name} approved`;
          })} />` : null}
          <${ActionButton} label=${`Abort ${p.metadata.name}`} decision=${perm.promote} busy=${busy} onRun=${(label) => run(label, async () => {
            await api('POST', `${path}/promotions/${seg(p.metadata.name)}/abort`, {});
            return `Abort of ${p.metadata.name} requested`;
          })} />`)}
        ${current && stage.spec?.verification ? html`<${ActionButton} label=${`Verify ${name}`} decision=${perm.promote} busy=${busy} onRun=${(label) => run(label, async () => {
            await api('POST', `${path}/stages/${seg(name)}/verify`, {});
            return `Verification of ${name} started`;
          })} />` : null}
      </div>
      ${refused.length && candidates.length ? html`
        <details class="refused">
          <summary>Why other freight cannot go to ${name}</summary>
          <ul>${refused.map((e) => html`<li key=${e.freight}><strong>${e.alias}</strong>: ${e.reason}</li>`)}</ul>
        </details>` : null}
    </article>
  `;
}
