// A promotion's steps with their status and message.
import { html } from '../lib/html.js';

export function StepsTable({ promotion: p }) {
  const steps = p.status.stepExecutionMetadata ?? [];
  if (!steps.length) return null;
  return html`
    <table class="steps">
      <caption>Steps of ${p.metadata.name}</caption>
      <thead><tr><th scope="col">Step</th><th scope="col">Kind</th><th scope="col">Status</th><th scope="col">Message</th></tr></thead>
      <tbody>
        ${steps.map((s, i) => html`<tr key=${i}><td>${s.alias}</td><td>${s.uses ?? ''}</td><td class=${`phase ${s.status}`}>${s.status}</td><td>${s.message ?? ''}</td></tr>`)}
      </tbody>
    </table>
  `;
}
