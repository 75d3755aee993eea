// Links to the page's sections (in-page anchors: keyboard and screen-reader friendly).
import { html } from '../lib/html.js';

export const SECTIONS = [
  ['pipeline', 'Pipeline'],
  ['freight', 'Freight'],
  ['waiting', 'Waiting for me'],
  ['promotions', 'Promotions'],
  ['verification', 'Verification'],
  ['compare', 'Compare'],
  ['audit', 'Audit'],
  ['events', 'Events'],
];

export function Nav({ waiting }) {
  return html`
    <nav class="nav" aria-label="Sections">
      ${SECTIONS.map(([id, label]) => html`<a key=${id} href=${`#${id}-section`}>${label}${id === 'waiting' && waiting ? html` <span class="badge">${waiting}</span>` : ''}</a>`)}
    </nav>
  `;
}
