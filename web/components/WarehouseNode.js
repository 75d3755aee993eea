// A warehouse in the graph: what it watches and its latest freight.
import { html } from '../lib/html.js';

export function WarehouseNode({ warehouse: w }) {
  const subs = (w.spec?.subscriptions ?? []).map((s) => s.image?.repoURL ?? s.git?.repoURL ?? s.chart?.name ?? '?');
  return html`
    <article class="node warehouse" id=${`node-warehouse-${w.metadata.name}`} aria-label=${`Warehouse ${w.metadata.name}`}>
      <h3>Warehouse ${w.metadata.name}</h3>
      <dl>
        <dt>Watches</dt><dd>${subs.join(', ') || '—'}</dd>
        <dt>Latest</dt><dd>${w.status?.lastFreightID ? w.status.lastFreightID.slice(0, 7) : '—'}</dd>
      </dl>
    </article>
  `;
}
