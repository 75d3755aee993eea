/**
 * Notifications of lifecycle events: which subscriptions (core/manifests/notification-subscription.ts)
 * an event goes to, what is sent (Slack's incoming-webhook JSON, or the event itself), the
 * retry policy, and the dead letters kept when a delivery is given up on. Pure.
 *
 * The project workflow puts a delivery for each matching subscription in its outbox
 * (`state.notifications.outbox`) and starts one notification workflow per delivery; that
 * workflow's activity resolves the webhook Secret, POSTs, and is retried by Temporal; after the
 * last attempt it signals a dead letter back, which the project keeps (the newest
 * DEAD_LETTER_RING_SIZE) and records as a `NotificationFailed` event.
 */
import type { ProjectState } from '../project/state.js';
import { EVENT_ANNOTATIONS, type DeadLetter, type LifecycleEvent, type NewEvent, type NotificationDelivery, type NotificationTarget } from './types.js';

/** How many dead letters a project keeps (newest). */
export const DEAD_LETTER_RING_SIZE = 50;

/** Retry defaults when a subscription does not say. */
export const NOTIFICATION_RETRY_DEFAULTS = { maxAttempts: 5, initialInterval: '10s', maxInterval: '10m' } as const;

/** The deliveries `event` makes under the project's subscriptions, in their order. */
export function deliveriesFor(state: ProjectState, event: LifecycleEvent): NotificationDelivery[] {
  const subscriptions = state.specs.config?.spec.notifications ?? [];
  const stage = event.annotations[EVENT_ANNOTATIONS.stageName];
  return subscriptions
    .filter((s) => s.events.includes(event.reason) && (s.stages === undefined || (stage !== undefined && s.stages.includes(stage))))
    .map((s) => ({
      project: state.project,
      subscription: s.name,
      target: s.slack ? { slack: { webhookSecretRef: s.slack.webhookSecretRef } } : { webhook: s.webhook! },
      retry: {
        maxAttempts: s.retry?.maxAttempts ?? NOTIFICATION_RETRY_DEFAULTS.maxAttempts,
        initialInterval: s.retry?.initialInterval ?? NOTIFICATION_RETRY_DEFAULTS.initialInterval,
        maxInterval: s.retry?.maxInterval ?? NOTIFICATION_RETRY_DEFAULTS.maxInterval,
      },
      event,
    }));
}

/** Puts `deliveries` in the project's outbox. */
export function queueDeliveries(state: ProjectState, deliveries: readonly NotificationDelivery[]): void {
  if (deliveries.length === 0) return;
  const n = (state.notifications ??= { outbox: [], deadLetters: [] });
  n.outbox.push(...deliveries);
}

/** Takes every delivery out of the outbox (the project workflow starts them). */
export function takeDeliveries(state: ProjectState): NotificationDelivery[] {
  const n = state.notifications;
  if (!n || n.outbox.length === 0) return [];
  return n.outbox.splice(0);
}

/** How a target is named in messages: the Secret's name, or the plain URL without its path's query. */
export function endpointOf(target: NotificationTarget): string {
  if ('slack' in target) return `Slack (secret ${JSON.stringify(target.slack.webhookSecretRef.name)})`;
  const w = target.webhook;
  if (w.urlSecretRef) return `webhook (secret ${JSON.stringify(w.urlSecretRef.name)})`;
  return `webhook ${w.url ?? ''}`;
}

/** Keeps a dead letter (dropping the oldest past the ring size) and answers the `NotificationFailed` event to record. */
export function recordDeadLetter(state: ProjectState, letter: DeadLetter, size = DEAD_LETTER_RING_SIZE): NewEvent {
  const n = (state.notifications ??= { outbox: [], deadLetters: [] });
  n.deadLetters.push(letter);
  if (n.deadLetters.length > size) n.deadLetters.splice(0, n.deadLetters.length - size);
  return {
    type: 'Warning',
    reason: 'NotificationFailed',
    message: `Notification ${JSON.stringify(letter.subscription)} of event ${letter.eventId} (${letter.eventReason}) to ${letter.endpoint} failed after ${letter.attempts} attempt(s): ${letter.error}`,
    involvedObject: { kind: 'Project', name: state.project },
    annotations: { [EVENT_ANNOTATIONS.project]: state.project },
  };
}

/** The dead letters, newest first. */
export function listDeadLetters(state: ProjectState, limit?: number): DeadLetter[] {
  const letters = [...(state.notifications?.deadLetters ?? [])].reverse();
  return limit === undefined ? letters : letters.slice(0, limit);
}

/**
 * What Slack gets (its incoming-webhook format: `text` as the fallback and `blocks` for the
 * layout): the reason, the object, the message, and the stage and freight when known.
 */
export function slackMessage(event: LifecycleEvent): { text: string; blocks: unknown[] } {
  const a = event.annotations;
  const project = a[EVENT_ANNOTATIONS.project] ?? '';
  const icon = event.type === 'Warning' ? ':warning:' : ':white_check_mark:';
  const text = `${icon} ${event.reason} in project ${project}: ${event.involvedObject.kind} ${event.involvedObject.name}: ${event.message}`;
  const fields = [
    ['Project', project],
    ['Stage', a[EVENT_ANNOTATIONS.stageName]],
    ['Freight', a[EVENT_ANNOTATIONS.freightAlias] ?? a[EVENT_ANNOTATIONS.freightName]],
    ['Actor', a[EVENT_ANNOTATIONS.actor]],
  ].flatMap(([label, value]) => (value ? [{ type: 'mrkdwn', text: `*${label}*\n${escapeSlack(value)}` }] : []));
  return {
    text,
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: `${icon} *${event.reason}* ${escapeSlack(event.involvedObject.kind)} \`${escapeSlack(event.involvedObject.name)}\`` } },
      { type: 'section', text: { type: 'plain_text', text: event.message.slice(0, 2900) } },
      ...(fields.length ? [{ type: 'section', fields }] : []),
    ],
  };
}

/** Slack's mrkdwn escapes (&, <, >). */
function escapeSlack(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
