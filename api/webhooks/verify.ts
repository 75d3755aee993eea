/**
 * Checks a webhook's own authentication, per provider as Kargo: an HMAC of the body (GitHub and
 * Gitea `X-Hub-Signature-256`, Bitbucket `X-Hub-Signature`, Artifactory `X-Jfrog-Event-Auth`),
 * or a shared token (GitLab `X-Gitlab-Token`, Harbor `Authorization`). Docker Hub, Quay, Azure
 * and generic receivers send neither: their hard-to-guess URL is the credential.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { WEBHOOK_SECRET_KEYS, type WebhookProvider } from '../../core/manifests/webhook-receiver.js';

function equal(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** The Secret key each provider's receiver reads (Kargo's keys). */
export function secretKey(provider: WebhookProvider): string {
  return WEBHOOK_SECRET_KEYS[provider];
}

/**
 * Kargo's receiver path token (buildWebhookPath): hex(sha256(project + receiver name + the
 * receiver's secret value)); the project is empty for a ClusterConfig's receivers.
 */
export function receiverToken(project: string, receiver: string, secretValue: string): string {
  return createHash('sha256').update(`${project}${receiver}${secretValue}`).digest('hex');
}

const HMAC_ALGORITHMS: Record<string, string> = { sha1: 'sha1', sha256: 'sha256', sha512: 'sha512' };

/** go-github's ValidateSignature: `<sha1|sha256|sha512>=<hex HMAC of the body>`. */
function hubSignatureProblem(header: string, value: string | undefined, secret: string, raw: Buffer): string | undefined {
  if (!value) return `missing ${header}`;
  const eq = value.indexOf('=');
  const algorithm = HMAC_ALGORITHMS[value.slice(0, eq)];
  if (eq < 0 || !algorithm) return `${header} is not of the form sha256=<hex>`;
  const want = createHmac(algorithm, secret).update(raw).digest('hex');
  return equal(value.slice(eq + 1), want) ? undefined : `${header} does not match the payload`;
}

/** Undefined when the request is authentic; otherwise why not (the response says it, 401). */
export function authenticationProblem(provider: WebhookProvider, secret: string, headers: (name: string) => string | undefined, raw: Buffer): string | undefined {
  switch (provider) {
    case 'github': {
      const sig = headers('x-hub-signature-256');
      if (!sig) return 'missing X-Hub-Signature-256';
      const want = `sha256=${createHmac('sha256', secret).update(raw).digest('hex')}`;
      return equal(sig, want) ? undefined : 'X-Hub-Signature-256 does not match the payload';
    }
    case 'gitea':
      return hubSignatureProblem('X-Hub-Signature-256', headers('x-hub-signature-256'), secret, raw);
    case 'bitbucket':
      return hubSignatureProblem('X-Hub-Signature', headers('x-hub-signature'), secret, raw);
    case 'artifactory': {
      const sig = headers('x-jfrog-event-auth');
      if (!sig) return 'missing X-Jfrog-Event-Auth';
      return equal(sig, createHmac('sha256', secret).update(raw).digest('hex')) ? undefined : 'X-Jfrog-Event-Auth does not match the payload';
    }
    case 'gitlab': {
      const token = headers('x-gitlab-token');
      if (!token) return 'missing X-Gitlab-Token';
      return equal(token, secret) ? undefined : 'X-Gitlab-Token is wrong';
    }
    case 'harbor': {
      const auth = headers('authorization');
      if (!auth) return 'missing Authorization';
      return equal(auth, secret) ? undefined : 'Authorization is wrong';
    }
    case 'dockerhub':
    case 'quay':
    case 'azure':
    case 'generic':
      return undefined; // the URL token is the credential
  }
}
