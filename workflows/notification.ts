/**
 * notificationWorkflow: delivers one lifecycle event to one subscription (core/events/notifications.ts).
 * The `deliverNotification` activity resolves the endpoint's Secret and POSTs; Temporal retries
 * it with the subscription's backoff (a 4xx other than 429 is final at once, a 429's
 * Retry-After sets the next delay). After the last attempt the workflow signals a dead letter
 * to its project and completes: a notification never fails a promotion.
 */
import { getExternalWorkflowHandle, proxyActivities } from '@temporalio/workflow';
import type { createActivities } from '../activities/index.js';
import { causeChain, failureCause } from '../core/failure-cause.js';
import { isRecord } from '../core/record.js';
import { endpointOf } from '../core/events/notifications.js';
import type { NotificationDelivery } from '../core/events/types.js';
import { notificationDeadLetterSignal, projectWorkflowId } from './definitions.js';

type Activities = ReturnType<typeof createActivities>;

export interface NotificationOutcome {
  delivered: boolean;
  attempts: number;
  error?: string;
}

export async function notificationWorkflow(delivery: NotificationDelivery): Promise<NotificationOutcome> {
  const acts = proxyActivities<Activities>({
    startToCloseTimeout: '30s',
    retry: {
      initialInterval: delivery.retry.initialInterval,
      maximumInterval: delivery.retry.maxInterval,
      backoffCoefficient: 2,
      maximumAttempts: delivery.retry.maxAttempts,
    },
  });
  try {
    const { attempt } = await acts.deliverNotification(delivery);
    return { delivered: true, attempts: attempt };
  } catch (err) {
    const error = failureCause(err);
    const attempts = attemptsOf(err, delivery.retry.maxAttempts);
    await getExternalWorkflowHandle(projectWorkflowId(delivery.project)).signal(notificationDeadLetterSignal, {
      subscription: delivery.subscription,
      eventId: delivery.event.id,
      eventReason: delivery.event.reason,
      endpoint: endpointOf(delivery.target),
      attempts,
      error,
      failedAt: new Date().toISOString(),
    });
    return { delivered: false, attempts, error };
  }
}

/** The attempt the activity reported in its failure's details (read by shape), else the most it may have made. */
function attemptsOf(err: unknown, maxAttempts: number): number {
  for (const layer of causeChain(err)) {
    const details = layer['details'];
    const first: unknown = Array.isArray(details) ? details[0] : undefined;
    if (isRecord(first) && typeof first['attempt'] === 'number') return first['attempt'];
  }
  return maxAttempts;
}
