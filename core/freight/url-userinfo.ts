/**
 * Credentials written into a repository URL (`https://user:token@host/…`) would be stored
 * wherever the URL goes: the spec every viewer reads, workflow history, the worker's git mirror
 * config. Shunt refuses them; credentials belong in a credential Secret.
 */

/** The message every refusal uses, after the field's name. */
export const URL_PASSWORD_MESSAGE =
  'must not carry a password or token in its userinfo (user:password@host); put the credential in a credential Secret instead';

/** Whether `url` (`scheme://user:secret@host/…`) has a password in its userinfo. */
export function urlHasPassword(url: string): boolean {
  const m = /^[a-z][a-z0-9+.-]*:\/\/([^/?#]*)@/i.exec(url.trim());
  return m?.[1] !== undefined && m[1].includes(':');
}
