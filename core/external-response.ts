/**
 * The one way Shunt reads what another server answered (registries, chart repositories, Argo CD,
 * the Kubernetes API, git providers, cloud token endpoints, an OIDC issuer): parsed with the
 * adapter's zod schema where it enters, so a malformed answer is a clear error naming the
 * endpoint and the field, never a TypeError deep inside a step. Pure: the adapters pass in what
 * they received. Messages never quote the answer (it may hold a token).
 */
import type { z } from 'zod';
import { plainErrors, toPathIssues } from './manifests/common.js';

/** The first thing that does not fit, in plain words: `tags: expected array, got string`. */
function firstMismatch(error: z.ZodError): string {
  const first = toPathIssues(error.issues)[0];
  if (!first) return 'invalid';
  return first.path === '' ? first.message : `${first.path}: ${first.message}`;
}

/**
 * `value` parsed with `schema`; otherwise `fail` gets a message like
 * `<endpoint>: the answer is not what its API documents (tags: expected array, got string)`.
 */
export function parseResponse<S extends z.ZodType>(schema: S, value: unknown, endpoint: string, fail: (message: string) => Error): z.output<S> {
  const res = schema.safeParse(value, { error: plainErrors });
  if (res.success) return res.data;
  throw fail(`${endpoint}: the answer is not what its API documents (${firstMismatch(res.error)})`);
}

/** JSON text parsed with `schema`; text that is not JSON (an HTML error page, a proxy's banner) fails as such. */
export function parseJSONResponse<S extends z.ZodType>(schema: S, text: string, endpoint: string, fail: (message: string) => Error): z.output<S> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw fail(`${endpoint}: the answer is not JSON${looksLikeHTML(text) ? ' (an HTML page)' : ''}`);
  }
  return parseResponse(schema, value, endpoint, fail);
}

function looksLikeHTML(text: string): boolean {
  return /^\s*<(!doctype|html|head|body)\b/i.test(text);
}
