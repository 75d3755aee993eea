// Sign-in of the page with the api's OpenID provider: the authorization code flow with PKCE
// (RFC 7636) as a public client, no secret in the browser. The verifier and challenge are made
// with WebCrypto; the code is exchanged through the api's relay (POST /api/v1/auth/token, see
// api/auth/sign-in.ts for why), so the page's CSP stays connect-src 'self'. Tokens live in
// sessionStorage (this tab only, gone when it closes); a refresh token, when the issuer gives
// one, renews the access token shortly before it expires. Without one the user signs in again.
//
// The page calls: loadAuthConfig() (show a sign-in button when it has `oidc`),
// completeSignInIfRedirected() once at start, startSignIn() on the button, currentToken() for
// each request (Authorization: Bearer …), pasteToken() from the token form (setups without
// OIDC), signOut() on the sign-out button.

const API = '/api/v1';
/** The signed-in session: { accessToken, refreshToken?, expiresAt? (ms) }. */
const SESSION_KEY = 'shunt-sign-in';
/** A token pasted in the token form (setups without OIDC). */
const PASTED_KEY = 'shunt-token';
/** What startSignIn left for the redirect back: { state, verifier, redirectUri }. */
const PENDING_KEY = 'shunt-sign-in-pending';
/** Renew this long before the access token expires. */
const RENEW_BEFORE_MS = 30_000;
/** The parameters an authorization response adds to the page's address (RFC 6749 §4.1.2, RFC 9207). */
const RESPONSE_PARAMS = ['code', 'state', 'error', 'error_description', 'error_uri', 'iss', 'session_state'];

let config;
let renewal;

/** What GET /api/v1/auth/config answers: `{ oidc?: {...} }`, read once. */
export function loadAuthConfig() {
  config ??= fetch(`${API}/auth/config`, { headers: { accept: 'application/json' } })
    .then((res) => (res.ok ? res.json() : {}))
    .catch(() => {
      config = undefined; // try again next time
      return {};
    });
  return config;
}

/** The bearer token for the api: the signed-in one while it is valid, else a pasted one. */
export function currentToken() {
  const session = readSession();
  if (session && (session.expiresAt === undefined || session.expiresAt > Date.now())) return session.accessToken;
  return sessionStorage.getItem(PASTED_KEY) ?? undefined;
}

/** Keeps a token pasted into the token form for this tab. */
export function pasteToken(value) {
  sessionStorage.setItem(PASTED_KEY, value.trim());
}

/** Goes to the issuer's sign-in page; the browser comes back to this page with a code. */
export async function startSignIn() {
  const { oidc } = await loadAuthConfig();
  if (!oidc) throw new Error('this api offers no sign-in with an OpenID provider: paste a token instead');
  if (!oidc.authorizationEndpoint) throw new Error(`sign-in is not possible now: ${oidc.problem ?? 'the issuer names no authorization endpoint'}`);
  if (!globalThis.crypto?.subtle) throw new Error('sign-in needs a secure page (https, or http on localhost)');
  const verifier = randomString();
  const state = randomString();
  const redirectUri = `${location.origin}${location.pathname}`;
  sessionStorage.setItem(PENDING_KEY, JSON.stringify({ state, verifier, redirectUri, search: location.search }));
  const url = new URL(oidc.authorizationEndpoint);
  url.search = new URLSearchParams({
    response_type: 'code',
    client_id: oidc.clientId,
    redirect_uri: redirectUri,
    scope: oidc.scopes.join(' '),
    state,
    code_challenge: await challengeOf(verifier),
    code_challenge_method: 'S256',
    ...(oidc.resource ? { resource: oidc.resource } : {}),
  }).toString();
  location.assign(url.href);
}

/**
 * At page load: when the issuer sent the browser back here, exchanges the code for tokens and
 * removes the code and state from the address. Resolves to true when it signed the user in,
 * false when this load is no redirect back; throws with the reason when the sign-in failed.
 */
export async function completeSignInIfRedirected() {
  await renewIfDue();
  const params = new URLSearchParams(location.search);
  const [code, state, error, why] = ['code', 'state', 'error', 'error_description'].map((name) => params.get(name));
  if (state === null || (code === null && error === null)) return false;
  const pending = JSON.parse(sessionStorage.getItem(PENDING_KEY) ?? 'null');
  sessionStorage.removeItem(PENDING_KEY);
  stripResponse(params, pending);
  if (!pending || pending.state !== state) {
    throw new Error('the sign-in came back with a state this page did not send (an old or forged redirect): sign in again');
  }
  if (error !== null) throw new Error(`the issuer refused the sign-in: ${error}${why ? ` (${why})` : ''}`);
  await tokenRequest({ grant_type: 'authorization_code', code, code_verifier: pending.verifier, redirect_uri: pending.redirectUri });
  return true;
}

/** Forgets the tokens (signed-in and pasted). The issuer's own session is left as it is. */
export function signOut() {
  clearTimeout(renewal);
  sessionStorage.removeItem(SESSION_KEY);
  sessionStorage.removeItem(PASTED_KEY);
  sessionStorage.removeItem(PENDING_KEY);
}

// ---- inside -------------------------------------------------------------------------------

function readSession() {
  try {
    return JSON.parse(sessionStorage.getItem(SESSION_KEY) ?? 'null');
  } catch {
    return null;
  }
}

async function tokenRequest(body) {
  const res = await fetch(`${API}/auth/token`, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json' }, body: JSON.stringify(body) });
  const json = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error(json?.error?.message ?? `the token request answered ${res.status}`);
  const session = {
    accessToken: json.access_token,
    ...(json.refresh_token ? { refreshToken: json.refresh_token } : {}),
    ...(typeof json.expires_in === 'number' ? { expiresAt: Date.now() + json.expires_in * 1000 } : {}),
  };
  sessionStorage.setItem(SESSION_KEY, JSON.stringify(session));
  scheduleRenewal();
}

/** Renews the access token with the refresh token shortly before it expires. */
function scheduleRenewal() {
  clearTimeout(renewal);
  const session = readSession();
  if (!session?.refreshToken || session.expiresAt === undefined) return;
  renewal = setTimeout(() => {
    tokenRequest({ grant_type: 'refresh_token', refresh_token: session.refreshToken }).catch(() => {
      // Renewal refused (revoked, expired): the next request gets 401 and the page offers sign-in.
      sessionStorage.removeItem(SESSION_KEY);
    });
  }, Math.max(0, session.expiresAt - RENEW_BEFORE_MS - Date.now()));
}

/** At load (a reload, a tab restored): an access token that expired meanwhile is renewed first. */
async function renewIfDue() {
  const session = readSession();
  if (session?.refreshToken && session.expiresAt !== undefined && session.expiresAt - RENEW_BEFORE_MS <= Date.now()) {
    await tokenRequest({ grant_type: 'refresh_token', refresh_token: session.refreshToken }).catch(() => sessionStorage.removeItem(SESSION_KEY));
  } else {
    scheduleRenewal();
  }
}

function stripResponse(params, pending) {
  for (const name of RESPONSE_PARAMS) params.delete(name);
  const kept = pending?.search && params.toString() === '' ? pending.search : params.toString() ? `?${params}` : '';
  history.replaceState(history.state, '', `${location.pathname}${kept}${location.hash}`);
}

function randomString() {
  return base64url(crypto.getRandomValues(new Uint8Array(32)));
}

async function challengeOf(verifier) {
  return base64url(new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier))));
}

function base64url(bytes) {
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}
