// A titled section of the page, reachable from the nav by `#<id>-section`.
import { html } from '../lib/html.js';

export function Section({ id, title, children }) {
  return html`
    <section id=${`${id}-section`} aria-labelledby=${`${id}-title`}>
      <h2 id=${`${id}-title`}>${title}</h2>
      ${children}
    </section>
  `;
}
