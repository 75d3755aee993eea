/** JSON calls to a provider's REST API, with its auth header; errors never show the token. */
import { DomainError } from '../../../core/errors.js';
import { httpRequest, shownURL } from '../http-client.js';

export interface ApiOptions {
  baseURL: string;
  /** Header carrying the token (`authorization` with `Bearer …`, or GitLab's `private-token`). */
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

export async function apiCall<T>(opts: ApiOptions, method: string, path: string, body?: unknown): Promise<T> {
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
  if (res.status >= 200 && res.status < 300) return parsed as T;
  const detail =
    typeof parsed === 'object' && parsed !== null && 'message' in parsed
      ? String((parsed as { message: unknown }).message)
      : typeof parsed === 'string'
        ? parsed.slice(0, 200)
        : '';
  const message = `${method} ${shownURL(url)} answered with status ${res.status}${detail ? `: ${detail}` : ''}`;
  if (res.status === 401 || res.status === 403) {
    throw new DomainError('StepFailed', `${message} (check the git credentials of this repository: their password is used as the API token)`);
  }
  throw new ApiError(res.status, message);
}
