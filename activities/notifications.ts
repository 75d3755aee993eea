/**
 * `deliverNotification`: one attempt at delivering a lifecycle event to a subscription
 * (core/events/notifications.ts). The webhook URL (and a webhook's headers) are read here from
 * the project's generic Secrets, so they never enter workflow history; messages name the
 * Secret, never the URL. The request goes through the egress policy (adapters/http-client.ts).
 *
 * Slack: POST `{text, blocks}` to the incoming webhook; it answers 200 `ok`. A generic webhook:
 * POST the event as the api lists it (core/events/view.ts). A 4xx answer other than 429 is
 * final (Slack's `invalid_payload`, `no_service`, ...): nonRetryable. A 429 is retried after its
 * Retry-After; a 5xx or a connection error is retried with the subscription's backoff.
 */
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { endpointOf, slackMessage } from '../core/events/notifications.js';
import type { NotificationDelivery } from '../core/events/types.js';
import { renderEvent } from '../core/events/view.js';
import type { ProjectCredentials } from './adapters/credentials.js';
import { httpRequest } from './adapters/http-client.js';
import { isDomainError } from './failure.js';

/** The longest Retry-After honoured; a longer one waits this long. */
const MAX_RETRY_AFTER_S = 600;

export interface NotificationActivities {
  deliverNotification(delivery: NotificationDelivery): Promise<{ attempt: number; status: number }>;
}

export function createNotificationActivities(deps: { credentials: ProjectCredentials; timeoutMs?: number }): NotificationActivities {
  return {
    async deliverNotification(delivery) {
      const attempt = currentAttempt();
      const endpoint = endpointOf(delivery.target);
      const fail = (message: string, opts: { final?: boolean; retryAfterS?: number } = {}): ApplicationFailure =>
        ApplicationFailure.create({
          type: opts.final ? 'NotificationRejected' : 'NotificationFailed',
          message: `${endpoint}: ${message}`,
          nonRetryable: opts.final ?? false,
          details: [{ attempt }],
          ...(opts.retryAfterS !== undefined ? { nextRetryDelay: opts.retryAfterS * 1000 } : {}),
        });
      const store = deps.credentials.forProject(delivery.project);
      const fromSecret = async (name: string, key: string): Promise<string> => {
        const value = (await store.secret(name))[key];
        // The Secret may be created or fixed while the retries run: not final.
        if (!value) throw fail(`secret ${JSON.stringify(name)} has no ${JSON.stringify(key)} key`);
        return value;
      };

      let url: string;
      let secretURL = true;
      let headers: Record<string, string> = {};
      let body: unknown;
      if ('slack' in delivery.target) {
        const ref = delivery.target.slack.webhookSecretRef;
        url = await fromSecret(ref.name, ref.key ?? 'webhookURL');
        body = slackMessage(delivery.event);
      } else {
        const w = delivery.target.webhook;
        url = w.urlSecretRef ? await fromSecret(w.urlSecretRef.name, w.urlSecretRef.key ?? 'url') : (w.url ?? '');
        secretURL = w.urlSecretRef !== undefined;
        if (w.headersSecretRef) headers = await store.secret(w.headersSecretRef.name);
        body = renderEvent(delivery.project, delivery.event);
      }

      let res;
      try {
        res = await httpRequest({
          url,
          method: 'POST',
          headers: { ...headers, 'content-type': 'application/json' },
          body: JSON.stringify(body),
          timeoutMs: deps.timeoutMs ?? 10_000,
          maxBytes: 64 * 1024,
          // The URL of a Slack webhook (or one from a Secret) is itself a secret.
          ...(secretURL ? { shownAs: 'the webhook URL' } : {}),
        });
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        // A bad URL or a refusal of the egress policy will not change by retrying.
        throw fail(message, { final: isDomainError(err) });
      }
      if (res.status >= 200 && res.status < 300) return { attempt, status: res.status };
      const detail = res.body.toString('utf8').slice(0, 200).trim().split(url).join('<url>');
      const answered = `answered ${res.status}${detail ? ` ${JSON.stringify(detail)}` : ''}`;
      if (res.status === 429) throw fail(answered, { retryAfterS: retryAfter(res.headers['retry-after']) });
      if (res.status >= 400 && res.status < 500) throw fail(answered, { final: true });
      throw fail(answered);
    },
  };
}

function currentAttempt(): number {
  try {
    return Context.current().info.attempt;
  } catch {
    return 1;
  }
}

/** Retry-After in seconds (delta-seconds or an HTTP date); undefined when absent or unreadable. */
export function retryAfter(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const seconds = /^\d+$/.test(value.trim()) ? Number(value.trim()) : (Date.parse(value) - Date.now()) / 1000;
  if (!Number.isFinite(seconds)) return undefined;
  return Math.min(MAX_RETRY_AFTER_S, Math.max(1, Math.ceil(seconds)));
}
