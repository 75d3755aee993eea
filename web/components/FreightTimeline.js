// Each freight across the stages: where it is, verified where, approved for what (and by whom),
// soaking for which stage, and an Approve button where the stage takes it from upstream stages.
import { api, seg } from '../lib/api.js';
import { html } from '../lib/html.js';
import { pipelineOrder } from '../lib/pipeline.js';
import { ago, left } from '../lib/time.js';
import { ActionButton } from './ActionButton.js';

/** Stage name → freight id → the api's verdict on that freight for that stage, made once per render. */
const verdictsOf = (stages) => new Map(stages.map((s) => [s.metadata.name, new Map((s.status?.freightAvailability ?? []).map((e) => [e.freight, e]))]));

function Cell({ f, stageName, stages, verdicts, project, permissions, busy, run }) {
  const here = f.status?.currentlyIn?.[stageName];
  const verified = f.status?.verifiedIn?.[stageName];
  const approved = f.status?.approvedFor?.[stageName];
  const last = f.status?.lastVerificationIn?.[stageName];
  const soaks = stages.flatMap((down) => {
    const soak = verdicts.get(down.metadata.name)?.get(f.metadata.name)?.blockers?.find((b) => b.kind === 'Soaking' && b.stage === stageName && b.availableAt);
    const remaining = soak ? Date.parse(soak.availableAt) - Date.now() : 0;
    return remaining > 0 ? [`soaking for ${down.metadata.name}: ${left(remaining)} left`] : [];
  });
  // Approval lets freight skip the stage's upstream verification: offered where the api says the
  // stage takes it from upstream stages and it has not been approved, verified or taken there.
  const verdict = verdicts.get(stageName)?.get(f.metadata.name);
  const fromUpstream = verdict && verdict.via !== 'direct' && verdict.via !== 'approval' && !verdict.blockers?.some((b) => b.kind === 'OriginNotRequested');
  return html`
    <td class=${`cell${here ? ' current' : ''}`}>
      ${here ? html`<span>here since ${ago(here.since)}</span>` : null}
      ${verified ? html`<span>verified ${ago(verified.verifiedAt)}${verified.longestSoak ? `, soaked ${verified.longestSoak}` : ''}</span>` : null}
      ${approved ? html`<span>approved ${ago(approved.approvedAt)}${approved.approvedBy ? ` by ${approved.approvedBy}` : ''}</span>` : null}
      ${last && last.phase !== 'Successful' ? html`<span class=${`phase ${last.phase}`}>verification ${last.phase}${last.message ? `: ${last.message}` : ''}</span>` : null}
      ${soaks.map((s) => html`<span key=${s}>${s}</span>`)}
      ${fromUpstream && !approved && !here && !verified ? html`<${ActionButton} label=${`Approve ${f.alias} for ${stageName}`} decision=${permissions(stageName).approve} busy=${busy}
        onRun=${(label) => run(label, async () => {
          await api('POST', `/projects/${seg(project)}/freight/${seg(f.metadata.name)}/approve`, { stage: stageName });
          return `${f.alias} approved for ${stageName}`;
        })} />` : null}
    </td>
  `;
}

export function FreightTimeline(props) {
  const { data } = props;
  const names = pipelineOrder(data.warehouses, data.stages);
  const verdicts = verdictsOf(data.stages);
  return html`
    <div class="scroll">
      <table id="freight">
        <caption>Where each freight is, verified, approved or soaking</caption>
        <thead><tr><th scope="col">Freight</th><th scope="col">Discovered</th>${names.map((n) => html`<th scope="col" key=${n}>${n}</th>`)}</tr></thead>
        <tbody>
          ${data.freight.length
            ? data.freight.map((f) => html`
              <tr key=${f.metadata.name}>
                <th scope="row">${f.alias} <span class="muted">${f.images?.map((i) => i.tag).join(', ') || f.metadata.name.slice(0, 7)}</span></th>
                <td>${ago(f.discoveredAt)}</td>
                ${names.map((n) => html`<${Cell} key=${n} ...${props} f=${f} stageName=${n} stages=${data.stages} verdicts=${verdicts} />`)}
              </tr>`)
            : html`<tr><td colspan=${names.length + 2}>No freight yet.</td></tr>`}
        </tbody>
      </table>
    </div>
  `;
}
