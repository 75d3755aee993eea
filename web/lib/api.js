// The REST API, with the caller's token. Errors carry the api's own message and status.
import { currentToken } from '../sign-in.js';

export const API = '/api/v1';
export const seg = encodeURIComponent;

export class HttpError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

export function authHeaders() {
  const t = currentToken();
  return t ? { authorization: `Bearer ${t}` } : {};
}

export async function api(method, path, body) {
  const headers = { accept: 'application/json', ...authHeaders() };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${API}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  let json;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  if (!res.ok) {
    const message = json?.error?.message ?? `${method} ${path} answered ${res.status}`;
    throw new HttpError(res.status, message);
  }
  return json;
}
