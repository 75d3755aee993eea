/** Checks a webhook's own authentication: GitHub's HMAC signature, GitLab's token header. */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { WebhookProvider } from '../../core/manifests/webhook-receiver.js';

function equal(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** The secret value each provider's Secret holds it under (Kargo's keys). */
export function secretKey(provider: WebhookProvider): string {
  return provider === 'gitlab' ? 'secret-token' : 'secret';
}

/** Kargo's receiver path token: hex(sha256(project + receiver name + secret values)). */
export function receiverToken(project: string, receiver: string, secret: Record<string, string>): string {
  const values = Object.keys(secret)
    .sort()
    .map((k) => secret[k] ?? '')
    .join('');
  return createHash('sha256').update(`${project}${receiver}${values}`).digest('hex');
}

/** Undefined when the request is authentic; otherwise why not (the response says it). */
export function authenticationProblem(provider: WebhookProvider, secret: string, headers: (name: string) => string | undefined, raw: Buffer): string | undefined {
  if (provider === 'github') {
    const sig = headers('x-hub-signature-256');
    if (!sig) return 'missing X-Hub-Signature-256';
    const want = `sha256=${createHmac('sha256', secret).update(raw).digest('hex')}`;
    return equal(sig, want) ? undefined : 'X-Hub-Signature-256 does not match the payload';
  }
  if (provider === 'gitlab') {
    const token = headers('x-gitlab-token');
    if (!token) return 'missing X-Gitlab-Token';
    return equal(token, secret) ? undefined : 'X-Gitlab-Token is wrong';
  }
  return undefined; // the URL token is the credential
}
