/**
 * What the Kubernetes API answered, restated for people: the API server's own Status message
 * (`applications.argoproj.io "web" not found`), the HTTP code and reason, or, when the server
 * cannot be reached at all, which server and why. Nothing here carries a credential.
 */
import { DomainError, type ErrorCode } from '../../../core/errors.js';
import type { KubeClients } from './client.js';
import { isRecord } from '../../../core/record.js';

export interface KubeStatus {
  code: number;
  reason: string;
  message: string;
}

/** The Status an ApiException carries (its body is the raw JSON text), or undefined. */
export function kubeStatusOf(err: unknown): KubeStatus | undefined {
  if (!isRecord(err) || typeof err['code'] !== 'number' || !('body' in err)) return undefined;
  const code = err['code'];
  let body: unknown = err['body'];
  if (typeof body === 'string') {
    try {
      body = JSON.parse(body);
    } catch {
      /* not JSON */
    }
  }
  const status = isRecord(body) ? body : {};
  return {
    code,
    reason: typeof status['reason'] === 'string' ? status['reason'] : code === 401 ? 'Unauthorized' : '',
    message:
      typeof status['message'] === 'string'
        ? status['message']
        : typeof body === 'string' && body !== ''
          ? body.slice(0, 300)
          : `HTTP ${code}`,
  };
}

export const isNotFound = (err: unknown): boolean => kubeStatusOf(err)?.code === 404;
export const isConflict = (err: unknown): boolean => kubeStatusOf(err)?.code === 409;
export const isAlreadyExists = (err: unknown): boolean => {
  const s = kubeStatusOf(err);
  return s?.code === 409 && s.reason === 'AlreadyExists';
};

/** Network-level failure codes (the server is not there, or not answering). */
function networkCode(err: unknown): string | undefined {
  for (let e: unknown = err, depth = 0; isRecord(e) && depth < 5; e = e['cause'], depth++) {
    const code = e['code'];
    if (typeof code === 'string' && /^(E[A-Z]+|UND_ERR_[A-Z_]+)$/.test(code)) return code;
  }
  return undefined;
}

/**
 * A DomainError for what went wrong talking to `server` while doing `what`: 401/403 are
 * FailedPrecondition (fix the service account), 404 NotFound, 409 Conflict, 422/400 BadRequest,
 * 5xx and unreachable servers Unavailable (worth retrying).
 */
export function kubeFailure(err: unknown, what: string, server: string): DomainError {
  if (err instanceof DomainError) return err;
  const status = kubeStatusOf(err);
  if (status) {
    const code: ErrorCode =
      status.code === 401 || status.code === 403
        ? 'FailedPrecondition'
        : status.code === 404
          ? 'NotFound'
          : status.code === 409
            ? 'Conflict'
            : status.code === 400 || status.code === 415 || status.code === 422
              ? 'BadRequest'
              : 'Unavailable';
    const hint =
      status.code === 401
        ? ' (the Kubernetes credentials were refused: check the token or service account)'
        : status.code === 403
          ? ' (the service account lacks permission: check its Role)'
          : '';
    return new DomainError(code, `${what}: ${status.message} (HTTP ${status.code}${status.reason ? ` ${status.reason}` : ''})${hint}`);
  }
  const net = networkCode(err);
  if (net) return new DomainError('Unavailable', `${what}: the Kubernetes API server ${server} cannot be reached (${net})`);
  const message = err instanceof Error ? err.message : String(err);
  return new DomainError('Unavailable', `${what}: ${message} (Kubernetes API server ${server})`);
}

const READYZ_TIMEOUT_MS = 5_000;

/** Whether the API server says it is ready (`/readyz`, readable by every user); false when it cannot answer. */
async function serverReady(clients: Pick<KubeClients, 'kc'>): Promise<boolean> {
  try {
    // Loaded here, not at the top: client-node costs a worker ~90 MB, and one without a cluster never needs it.
    const { Health } = await import('@kubernetes/client-node');
    return await new Health(clients.kc).readyz({ signal: AbortSignal.timeout(READYZ_TIMEOUT_MS) });
  } catch {
    return false;
  }
}

/**
 * kubeFailure for a request made with `clients`, where a 403 is final only from a ready API
 * server: a kube-apiserver that has just (re)started serves requests before its RBAC caches are
 * filled and refuses them meanwhile (kubernetes/kubernetes#101422, #121635). A 403 while
 * `/readyz` does not answer OK (during that window it answers 403 too) is Unavailable, so the
 * caller retries it like an unreachable server; a ready server's 403 stays FailedPrecondition
 * (fix the Role). A 401 (credentials refused) stays final: a wrong token gets 401 from /readyz too.
 */
export async function kubeError(clients: Pick<KubeClients, 'kc' | 'server'>, err: unknown, what: string): Promise<DomainError> {
  const status = kubeStatusOf(err);
  if (status?.code !== 403 || (await serverReady(clients))) return kubeFailure(err, what, clients.server);
  return new DomainError(
    'Unavailable',
    `${what}: ${status.message} (HTTP 403${status.reason ? ` ${status.reason}` : ''}) while the Kubernetes API server ${clients.server} is not ready (starting up?): not final, trying again`,
  );
}
