// Reads an api route that newer servers have: its answer, or "not available" when the server has
// no such route (404 "no route"), or the api's error.
import { useEffect, useState } from '/vendor/hooks.mjs';
import { api } from '../lib/api.js';
import { html } from '../lib/html.js';

/** {data, error, missing, loading} of GET `path`, read again when a dependency changes. */
export function useOptional(path, deps = []) {
  const [state, setState] = useState({ loading: true });
  useEffect(() => {
    if (!path) {
      setState({ loading: false });
      return undefined;
    }
    let current = true;
    api('GET', path).then(
      (data) => current && setState({ data }),
      (err) => current && setState(err.routeMissing ? { missing: true } : { error: err.message }),
    );
    return () => {
      current = false;
    };
  }, [path, ...deps]);
  return state;
}

/** What to show instead of the data, or null when the data is there. */
export function Unavailable({ state, what }) {
  if (state.missing) return html`<p class="muted unavailable">${what}: not available on this server.</p>`;
  if (state.error) return html`<p class="error-text">${what}: ${state.error}</p>`;
  if (state.loading) return html`<p class="muted">Loading ${what.toLowerCase()}…</p>`;
  return null;
}
