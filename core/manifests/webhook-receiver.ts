/**
 * `ProjectConfig.spec.webhookReceivers[]`, Kargo's shape: a `name` and exactly one provider
 * block naming the Secret that holds the receiver's secret (`secretRef.name`). The receiver's
 * URL is `/webhooks/<provider>/<hex(sha256(project + name + secret values))>`, as in Kargo.
 *
 * Secret keys: github `secret` (HMAC `X-Hub-Signature-256`), gitlab `secret-token`
 * (`X-Gitlab-Token`), dockerhub / quay / generic `secret` (the URL is the credential).
 */
import { z } from 'zod';

export const WEBHOOK_PROVIDERS = ['github', 'gitlab', 'dockerhub', 'quay', 'generic'] as const;
export type WebhookProvider = (typeof WEBHOOK_PROVIDERS)[number];
/** Kargo providers Shunt does not receive yet: refused with a clear message. */
const UNSUPPORTED = ['gitea', 'bitbucket', 'harbor', 'artifactory', 'azure'];

const ProviderBlock = z.looseObject({ secretRef: z.strictObject({ name: z.string().min(1) }) });

export interface WebhookReceiver {
  name: string;
  provider: WebhookProvider;
  secretName: string;
}

export const WebhookReceiverEntry = z
  .looseObject({ name: z.string().min(1) })
  .superRefine((entry, ctx) => {
    const keys = Object.keys(entry).filter((k) => k !== 'name');
    const known = keys.filter((k) => (WEBHOOK_PROVIDERS as readonly string[]).includes(k));
    for (const k of keys) {
      if (UNSUPPORTED.includes(k)) ctx.addIssue({ code: 'custom', path: [k], message: `${k} webhook receivers are not supported by Shunt yet; use one of ${WEBHOOK_PROVIDERS.join(', ')}` });
      else if (!known.includes(k)) ctx.addIssue({ code: 'custom', path: [k], message: `unknown webhook receiver type; expected one of ${WEBHOOK_PROVIDERS.join(', ')}` });
    }
    if (known.length !== 1) {
      ctx.addIssue({ code: 'custom', path: [], message: `expected exactly one of ${WEBHOOK_PROVIDERS.join(', ')}${known.length > 1 ? `, got ${known.join(' and ')}` : ''}` });
      return;
    }
    const block = ProviderBlock.safeParse(entry[known[0]!]);
    if (!block.success) ctx.addIssue({ code: 'custom', path: [known[0]!, 'secretRef', 'name'], message: 'required: the Secret holding the receiver\'s secret' });
  });

/** The receivers of a ProjectConfig spec that are well formed (apply has validated them). */
export function webhookReceivers(entries: readonly Record<string, unknown>[] | undefined): WebhookReceiver[] {
  const out: WebhookReceiver[] = [];
  for (const e of entries ?? []) {
    const provider = WEBHOOK_PROVIDERS.find((p) => e[p] !== undefined);
    const block = provider ? ProviderBlock.safeParse(e[provider]) : undefined;
    if (provider && block?.success && typeof e['name'] === 'string') out.push({ name: e['name'], provider, secretName: block.data.secretRef.name });
  }
  return out;
}
