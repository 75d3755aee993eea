/**
 * Requests to the operator-set endpoints of the cloud credential exchanges (settings.ts). They are
 * not a tenant's choice, so they bypass the egress policy (which refuses the link-local metadata
 * server on purpose). A failure names the endpoint and the provider's error code, never a body
 * that could hold a token or a key.
 */
import { DomainError } from '../../../core/errors.js';

export interface TrustedResponse {
  status: number;
  headers: Headers;
  text: string;
}

export async function trustedRequest(
  what: string,
  url: string,
  init: { method?: string; headers?: Record<string, string>; body?: string; signal?: AbortSignal | undefined },
): Promise<TrustedResponse> {
  const signals = [AbortSignal.timeout(30_000), ...(init.signal ? [init.signal] : [])];
  let res: Response;
  try {
    res = await fetch(url, { method: init.method ?? 'POST', headers: init.headers ?? {}, ...(init.body !== undefined ? { body: init.body } : {}), signal: AbortSignal.any(signals), redirect: 'error' });
  } catch (err) {
    // Transient (retried by the activity): the endpoint did not answer.
    throw new Error(`${what}: ${new URL(url).origin} did not answer: ${(err as Error).message}`);
  }
  return { status: res.status, headers: res.headers, text: await res.text() };
}

/** The error for a refused exchange: 4xx is the credential's fault (not retried), 5xx transient. */
export function exchangeRefused(what: string, url: string, status: number, code: string | undefined): Error {
  const message = `${what}: ${new URL(url).origin} refused the exchange with status ${status}${code ? ` (${code})` : ''}`;
  return status >= 400 && status < 500 && status !== 429 ? new DomainError('StepFailed', message) : new Error(message);
}

/** A short error code from a JSON or XML error body (OAuth2 `error`, AWS `__type` / `<Code>`, GitHub `message`). */
export function errorCode(text: string): string | undefined {
  try {
    const j = JSON.parse(text) as Record<string, unknown>;
    const c = j['error'] ?? j['__type'] ?? j['code'] ?? j['message'];
    if (typeof c === 'string') return c.slice(0, 200);
  } catch {
    const m = /<Code>([^<]{1,100})<\/Code>/.exec(text);
    if (m) return m[1];
  }
  return undefined;
}

export function parseJSON(what: string, text: string): Record<string, unknown> {
  try {
    const v: unknown = JSON.parse(text);
    if (typeof v === 'object' && v !== null && !Array.isArray(v)) return v as Record<string, unknown>;
  } catch {
    // fall through
  }
  throw new DomainError('StepFailed', `${what}: the answer is not a JSON object`);
}
