/**
 * Requests to the operator-set endpoints of the cloud credential exchanges (settings.ts). They are
 * not a tenant's choice, so they bypass the egress policy (which refuses the link-local metadata
 * server on purpose). A failure names the endpoint and the provider's error code, never a body
 * that could hold a token or a key.
 */
import { z } from 'zod';
import { DomainError } from '../../../core/errors.js';
import { parseJSONResponse } from '../../../core/external-response.js';

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

/** The error code fields of a JSON error body, first present first. */
const ErrorBody = z.object({ error: z.unknown(), __type: z.unknown(), code: z.unknown(), message: z.unknown() }).partial();

/** A short error code from a JSON or XML error body (OAuth2 `error`, AWS `__type` / `<Code>`, GitHub `message`). */
export function errorCode(text: string): string | undefined {
  try {
    const j = ErrorBody.safeParse(JSON.parse(text));
    const c = j.success ? (j.data.error ?? j.data.__type ?? j.data.code ?? j.data.message) : undefined;
    if (typeof c === 'string') return c.slice(0, 200);
  } catch {
    const m = /<Code>([^<]{1,100})<\/Code>/.exec(text);
    if (m) return m[1];
  }
  return undefined;
}

/** A 2xx answer read with `schema`; one that is not JSON or does not fit fails the step naming `what` and the field. */
export function parseJSON<S extends z.ZodType>(what: string, text: string, schema: S): z.output<S> {
  return parseJSONResponse(schema, text, what, (message) => new DomainError('StepFailed', message));
}
