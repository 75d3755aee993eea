/**
 * JSON calls to a git provider's REST API, with its auth header. Responses are parsed with the
 * caller's zod schema (a provider answering something else is an error that says what did not
 * fit); errors carry the provider's own message (each provider shapes it differently) and never
 * the token. Connections go through http-client.ts, so the egress policy applies to every call.
 */
import { z } from 'zod';
import { DomainError } from '../../../core/errors.js';
import { parseResponse } from '../../../core/external-response.js';
import { httpRequest, shownURL } from '../http-client.js';

export interface ApiOptions {
  /** The URL the provider's API paths hang off (e.g. `https://api.github.com`). */
  baseURL: string;
  /** The header carrying the token (`authorization: Bearer …`, GitLab's `private-token`, …). */
  authHeader?: { name: string; value: string } | undefined;
  insecureSkipTLSVerify?: boolean | undefined;
  signal?: AbortSignal | undefined;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** The error message in each provider's error body: GitHub/GitLab/Gitea/Azure `message`, Bitbucket Cloud `error.message`, GitLab's validation `error`, Bitbucket DC `errors[].message`. */
const ErrorBody = z.union([
  z.object({ message: z.unknown() }).transform((b) => String(b.message)),
  z.object({ error: z.object({ message: z.string() }) }).transform((b) => b.error.message),
  z.object({ error: z.string() }).transform((b) => b.error),
  z.object({ errors: z.array(z.object({ message: z.string() })).min(1) }).transform((b) => b.errors.map((e) => e.message).join('; ')),
]);

function errorDetail(parsed: unknown): string {
  const known = ErrorBody.safeParse(parsed);
  if (known.success) return known.data;
  return typeof parsed === 'string' ? parsed.slice(0, 200) : '';
}

export interface ApiResponse {
  status: number;
  body: unknown;
}

/**
 * One call; non-2xx answers throw: 401/403 as a StepFailed that says to check the credentials,
 * others as ApiError (with the status, for the caller to interpret).
 */
export async function apiRequest(opts: ApiOptions, method: string, path: string, body?: unknown): Promise<ApiResponse> {
  const url = `${opts.baseURL.replace(/\/+$/, '')}${path}`;
  const headers: Record<string, string> = { accept: 'application/json', 'user-agent': 'shunt' };
  if (opts.authHeader) headers[opts.authHeader.name] = opts.authHeader.value;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await httpRequest({
    url,
    method,
    headers,
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    timeoutMs: 30_000,
    ...(opts.insecureSkipTLSVerify ? { insecureSkipTLSVerify: true } : {}),
    ...(opts.signal ? { signal: opts.signal } : {}),
  });
  const text = res.body.toString('utf8');
  let parsed: unknown;
  try {
    parsed = text === '' ? undefined : JSON.parse(text);
  } catch {
    parsed = text;
  }
  if (res.status >= 200 && res.status < 300) return { status: res.status, body: parsed };
  const detail = errorDetail(parsed);
  const message = `${method} ${shownURL(url)} answered with status ${res.status}${detail ? `: ${detail}` : ''}`;
  if (res.status === 401 || res.status === 403) {
    throw new DomainError('StepFailed', `${message} (check the git credentials of this repository: their password is used as the API token)`);
  }
  throw new ApiError(res.status, message);
}

/** Parses an answer with `schema`; an answer that does not fit fails the step, saying what did not fit. */
export function parseAnswer<S extends z.ZodType>(schema: S, answer: unknown, what: string): z.infer<S> {
  return parseResponse(schema, answer, `the git provider's ${what}`, (message) => new DomainError('StepFailed', message));
}

/** A call whose 2xx answer is parsed with `schema`. */
export async function apiCall<S extends z.ZodType>(opts: ApiOptions, method: string, path: string, schema: S, body?: unknown): Promise<z.infer<S>> {
  const res = await apiRequest(opts, method, path, body);
  return parseAnswer(schema, res.body, `${method} ${path.split('?')[0]}`);
}

/** `fn()`, with a 404 turned into "does not exist" for `what`. */
export async function orNotFound<T>(what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof ApiError && err.status === 404) throw new DomainError('StepFailed', `${what} does not exist`);
    throw err;
  }
}
