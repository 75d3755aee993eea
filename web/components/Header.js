// The top bar: project selector, who is signed in, and sign-in (OpenID when the server offers it,
// else a pasted bearer token) or sign-out. Ids #who, #sign-in, #sign-out, #token-form are kept.
import { useState } from '/vendor/hooks.mjs';
import { html } from '../lib/html.js';

export function Header({ projects, project, onProject, who, signedIn, oidc, onSignIn, onToken, onSignOut, connection }) {
  const [token, setToken] = useState('');
  const submit = (e) => {
    e.preventDefault();
    onToken(token);
    setToken('');
  };
  const whoText = !who ? '' : who.mode === 'open' ? `${who.name} · open mode: no access control` : `Signed in as ${who.name}`;
  return html`
    <header class="top">
      <h1>Shunt</h1>
      <form id="project-form" class="inline" aria-label="Project" onSubmit=${(e) => e.preventDefault()}>
        <label for="project">Project</label>
        <select id="project" name="project" value=${project} onChange=${(e) => onProject(e.currentTarget.value)}>
          ${projects.map((n) => html`<option value=${n} key=${n}>${n}</option>`)}
        </select>
      </form>
      <p id="connection" class=${`connection ${connection}`} aria-live="polite">
        ${connection === 'reconnecting' ? 'Reconnecting…' : connection === 'live' ? 'Live' : ''}
      </p>
      <p id="who" class="who" aria-live="polite">${whoText}</p>
      <button id="sign-in" type="button" hidden=${signedIn || !oidc} onClick=${onSignIn}>Sign in with ${oidc?.issuer ? new URL(oidc.issuer).host : 'OpenID'}</button>
      <form id="token-form" class="inline" hidden=${signedIn} onSubmit=${submit}>
        <label for="token">Bearer token</label>
        <input id="token" name="token" type="password" autocomplete="current-password" required value=${token} onInput=${(e) => setToken(e.currentTarget.value)} />
        <button type="submit">Sign in</button>
      </form>
      <button id="sign-out" type="button" hidden=${!signedIn || who?.mode === 'open'} onClick=${onSignOut}>Sign out</button>
    </header>
  `;
}
