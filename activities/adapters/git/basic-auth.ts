import type { RepoCredentials } from '../credentials.js';

/** The value of an `Authorization: Basic …` header for these credentials. */
export function basicHeaderValue(creds: RepoCredentials): string {
  return Buffer.from(`${creds.username ?? ''}:${creds.password ?? ''}`, 'utf8').toString('base64');
}
