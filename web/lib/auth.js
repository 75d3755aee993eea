// The caller's token: from OpenID sign-in (web/sign-in.js, when the server ships it) or pasted
// into the token form (kept in sessionStorage for this tab only).
const PASTED = 'shunt-token';

/** web/sign-in.js's exports, or undefined when this server has no such module. */
export const signIn = await import('/sign-in.js').catch(() => undefined);

export function token() {
  return signIn?.currentToken?.() ?? sessionStorage.getItem(PASTED) ?? undefined;
}

export function pasteToken(value) {
  sessionStorage.setItem(PASTED, value.trim());
}

export function forgetToken() {
  sessionStorage.removeItem(PASTED);
  signIn?.signOut?.();
}
