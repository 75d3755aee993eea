/**
 * Whether a promotion step is done after one attempt, and what the promotion does next: Kargo's
 * `determineStepCompletion` (pkg/promotion/local_orchestrator.go) as one pure function. The
 * promotion workflow only asks it, sleeps and calls the step again.
 */
import { formatDuration, parseDuration } from '../duration.js';
import { stepDefaults } from './step-kinds.js';
import type { PlannedStep, StepStatus } from './types.js';

/** How a failed step attempt counts: a business failure, an error for good, or worth another try. */
export type StepErrorKind = 'failed' | 'errored' | 'retryable';

/** What one attempt of a step came back with. */
export type StepAttemptResult =
  | { status: 'Succeeded' | 'Skipped'; message?: string }
  /** The step waits for something outside (a PR, a sync): ask again after `retryAfterMs`. */
  | { status: 'Running'; retryAfterMs: number; message?: string }
  | { status: 'Error'; kind: StepErrorKind; message: string };

/** The step's attempts so far, before this one's result is counted. */
export interface StepAttempts {
  /** Consecutive retryable errors so far. */
  errorCount: number;
  /** When the step's first attempt started (epoch ms): the timeout counts from here. */
  firstStartedMs: number;
}

export interface RetryBackoff {
  /** The wait after the first error; it doubles after each further one. */
  initialMs: number;
  maximumMs: number;
}

export interface StepLimits {
  /** Consecutive errors allowed before the step is Errored (Kargo: 0/unset means the default). */
  errorThreshold: number;
  /** Soft limit from the step's first start; undefined = none. */
  timeoutMs?: number;
}

/** The backoff between attempts after a retryable error (1s, 2s, 4s, … up to 30s). */
export const STEP_RETRY_BACKOFF: RetryBackoff = { initialMs: 1000, maximumMs: 30_000 };

/**
 * When a step that is still running times out:
 * - `kargo`: after an attempt that ends past the limit (Kargo's soft timeout: the limit is
 *   checked after each attempt, so a step is never failed before it has had its time);
 * - `before-next-poll`: as soon as the next poll would end past the limit (Shunt before
 *   2026-12; kept only so that promotions recorded with it replay with the same decisions).
 */
export type TimeoutRule = 'kargo' | 'before-next-poll';

/** What the promotion does after a step's attempt. */
export type StepCompletion =
  /** Call the step again after `afterMs` (a retryable error under the threshold). */
  | { next: 'retry'; afterMs: number; errorCount: number; message: string }
  /** The step is still running: ask it again after `afterMs` (or earlier when refreshed). */
  | { next: 'poll'; afterMs: number; message?: string }
  /** The step is finished with this status. */
  | { next: 'done'; status: Exclude<StepStatus, 'Pending' | 'Running' | 'Aborted'>; errorCount: number; message?: string };

export interface StepCompletionInput {
  result: StepAttemptResult;
  attempts: StepAttempts;
  limits: StepLimits;
  /** The step's timeout as the manifest wrote it, for messages; else the limit is formatted. */
  timeoutText?: string;
  backoff?: RetryBackoff;
  timeoutRule?: TimeoutRule;
  nowMs: number;
}

export function stepLimits(step: PlannedStep): StepLimits {
  const defaults = stepDefaults(step.uses);
  const errorThreshold = step.retry.errorThreshold && step.retry.errorThreshold > 0 ? step.retry.errorThreshold : defaults.errorThreshold;
  const timeout = step.retry.timeout ?? defaults.timeout;
  const timeoutMs = timeout ? parseDuration(timeout) : 0;
  return timeoutMs > 0 ? { errorThreshold, timeoutMs } : { errorThreshold };
}

/** The step's timeout as written (the step's own, else its kind's default), for messages. */
export function stepTimeoutText(step: PlannedStep): string | undefined {
  return step.retry.timeout || stepDefaults(step.uses).timeout;
}

/** How long to wait before the attempt after the `errorCount`-th consecutive error. */
export function retryDelayMs(errorCount: number, backoff: RetryBackoff = STEP_RETRY_BACKOFF): number {
  return Math.min(backoff.initialMs * 2 ** Math.max(0, errorCount - 1), backoff.maximumMs);
}

/**
 * A failed step attempt as the activity reported it: a `StepFailed` failure is a business
 * failure (Kargo's Failed); any other failure the activity reported (`type` set, '' when it
 * named none) is an error, retryable only when the activity said so; anything else (a crash,
 * a timeout: no `type`) is worth another try.
 */
export function classifyStepError(failure: { type?: string; retryable?: boolean; message: string }): { kind: StepErrorKind; message: string } {
  if (failure.type === 'StepFailed') return { kind: 'failed', message: failure.message };
  if (failure.type !== undefined) return { kind: failure.retryable === true ? 'retryable' : 'errored', message: failure.message };
  return { kind: 'retryable', message: failure.message };
}

/** Kargo's determineStepCompletion: done (with a status), poll again, or retry after a backoff. */
export function stepCompletion(input: StepCompletionInput): StepCompletion {
  const { result, attempts, limits, nowMs } = input;
  const rule = input.timeoutRule ?? 'kargo';
  const timedOutMessage = `step timed out after ${input.timeoutText || formatDuration(limits.timeoutMs ?? 0)}`;
  const elapsedMs = nowMs - attempts.firstStartedMs;
  const pastTimeout = (extraMs: number): boolean => limits.timeoutMs !== undefined && elapsedMs + extraMs > limits.timeoutMs;

  switch (result.status) {
    case 'Succeeded':
    case 'Skipped':
      return done(result.status, attempts.errorCount, result.message);
    case 'Running': {
      const waitMs = Math.max(0, result.retryAfterMs);
      if (pastTimeout(rule === 'kargo' ? 0 : waitMs)) return done('Errored', attempts.errorCount, timedOutMessage);
      return result.message === undefined ? { next: 'poll', afterMs: waitMs } : { next: 'poll', afterMs: waitMs, message: result.message };
    }
    case 'Error':
      break;
  }

  if (result.kind === 'failed') return done('Failed', attempts.errorCount, result.message);
  if (result.kind === 'errored') return done('Errored', attempts.errorCount, result.message);

  const errorCount = attempts.errorCount + 1;
  if (errorCount >= limits.errorThreshold) {
    const message = limits.errorThreshold > 1 ? `${result.message} (met error threshold of ${limits.errorThreshold})` : result.message;
    return done('Errored', errorCount, message);
  }
  if (pastTimeout(0)) {
    // Before Kargo's rule, the step ended with its last error as if it had met the threshold.
    const message = rule === 'kargo' ? `${timedOutMessage}; last error: ${result.message}` : `${result.message} (met error threshold of ${limits.errorThreshold})`;
    return done('Errored', errorCount, message);
  }
  return { next: 'retry', afterMs: retryDelayMs(errorCount, input.backoff), errorCount, message: result.message };
}

function done(status: Extract<StepCompletion, { next: 'done' }>['status'], errorCount: number, message: string | undefined): StepCompletion {
  return message === undefined ? { next: 'done', status, errorCount } : { next: 'done', status, errorCount, message };
}
