/**
 * `spec.notifications[]` of a ProjectConfig (Shunt's extension to Kargo's ProjectConfig): who
 * hears about which lifecycle events (core/events/lifecycle.ts).
 *
 *   notifications:
 *   - name: prod-failures
 *     events: [PromotionFailed, PromotionErrored, FreightVerificationFailed]
 *     stages: [prod]                       # optional: only events about these stages
 *     slack:
 *       webhookSecretRef: { name: slack }  # generic Secret, key `webhookURL` unless `key` says
 *   - name: audit-sink
 *     events: [PromotionSucceeded]
 *     webhook:
 *       urlSecretRef: { name: sink }       # or url: https://... (a URL without credentials)
 *       headersSecretRef: { name: sink-headers }   # each key a header
 *     retry: { maxAttempts: 5, initialInterval: 10s, maxInterval: 10m }
 *
 * A webhook URL is a credential (Slack's carries its token in the path): it is named here, read
 * by the delivering activity and never enters workflow history or logs.
 */
import { z } from 'zod';
import { EVENT_REASONS } from '../events/types.js';
import { Duration, LabelName } from './common.js';

const SecretRef = z.strictObject({
  name: z.string().min(1, { error: 'must name a Secret' }),
  key: z.string().min(1).optional(),
});

const Reason = z.enum(EVENT_REASONS, {
  error: (iss) => `unknown event reason ${JSON.stringify(iss.input)}; expected one of ${EVENT_REASONS.join(', ')}`,
});

const PlainURL = z.string().superRefine((text, ctx) => {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    ctx.addIssue({ code: 'custom', message: 'is not a URL' });
    return;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') ctx.addIssue({ code: 'custom', message: `scheme ${url.protocol} is not supported; use http or https` });
  else if (url.username || url.password || url.search) {
    ctx.addIssue({ code: 'custom', message: 'carries credentials (user info or a query): put the URL in a Secret and name it with urlSecretRef' });
  }
});

export const NotificationSubscription = z
  .strictObject({
    name: LabelName,
    events: z.array(Reason).min(1, { error: 'name at least one event reason' }),
    stages: z.array(z.string().min(1)).optional(),
    slack: z.strictObject({ webhookSecretRef: SecretRef }).optional(),
    webhook: z
      .strictObject({
        url: PlainURL.optional(),
        urlSecretRef: SecretRef.optional(),
        headersSecretRef: z.strictObject({ name: z.string().min(1, { error: 'must name a Secret' }) }).optional(),
      })
      .superRefine((w, ctx) => {
        if ((w.url === undefined) === (w.urlSecretRef === undefined)) ctx.addIssue({ code: 'custom', message: 'set exactly one of url or urlSecretRef' });
      })
      .optional(),
    retry: z
      .strictObject({
        maxAttempts: z.number().int().min(1).max(20).optional(),
        initialInterval: Duration.optional(),
        maxInterval: Duration.optional(),
      })
      .optional(),
  })
  .superRefine((n, ctx) => {
    if ((n.slack === undefined) === (n.webhook === undefined)) ctx.addIssue({ code: 'custom', message: 'set exactly one of slack or webhook' });
    n.events.forEach((reason, i) => {
      if (reason === 'NotificationFailed') {
        ctx.addIssue({ code: 'custom', path: ['events', i], message: 'NotificationFailed is not notified (a failing endpoint would notify itself); read it at /events' });
      }
    });
  });
export type NotificationSubscription = z.output<typeof NotificationSubscription>;

export const NotificationSubscriptions = z.array(NotificationSubscription).superRefine((subs, ctx) => {
  const seen = new Set<string>();
  subs.forEach((s, i) => {
    if (seen.has(s.name)) ctx.addIssue({ code: 'custom', path: [i, 'name'], message: `${JSON.stringify(s.name)} is used by an earlier subscription` });
    seen.add(s.name);
  });
});
