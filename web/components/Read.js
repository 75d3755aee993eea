// Reads an api route for a panel: its answer, the api's error, or that it is still loading.
import { useEffect, useState } from '/vendor/hooks.mjs';
import { api } from '../lib/api.js';
import { html } from '../lib/html.js';

/** {data, error, loading} of GET `path`, read again when a dependency changes. */
export function useRead(path, deps = []) {
  const [state, setState] = useState({ loading: true });
  useEffect(() => {
    if (!path) {
      setState({ loading: false });
      return undefined;
    }
    let current = true;
    api('GET', path).then(
      (data) => current && setState({ data }),
      (err) => current && setState({ error: err.message }),
    );
    return () => {
      current = false;
    };
  }, [path, ...deps]);
  return state;
}

/** What to show instead of the data, or null when the data is there. */
export function NotShown({ state, what }) {
  if (state.error) return html`<p class="error-text">${what}: ${state.error}</p>`;
  if (state.loading) return html`<p class="muted">Loading ${what.toLowerCase()}…</p>`;
  return null;
}
