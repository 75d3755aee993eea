/**
 * The one place where errors become Temporal failures (STYLE.md §2: one helper at the activity
 * boundary). Workflows branch on `failure.type`, never on class identity.
 */
import { ApplicationFailure, TemporalFailure } from '@temporalio/common';
import { isErrorCode, NON_RETRYABLE_CODES, type ErrorCode } from '../core/errors.js';

interface DomainErrorLike {
  code: ErrorCode;
  message: string;
  details?: readonly string[];
}

/** DomainError by shape, not instanceof (unreliable across module copies and the sandbox). */
export function isDomainError(err: unknown): err is Error & DomainErrorLike {
  return (
    err instanceof Error &&
    err.name === 'DomainError' &&
    isErrorCode((err as unknown as { code?: unknown }).code)
  );
}

/**
 * Converts what an activity threw into what it should throw to Temporal:
 * - a DomainError becomes an ApplicationFailure with `type` = its code, the message kept,
 *   `nonRetryable` for NON_RETRYABLE_CODES, and `details` carried as the failure's details;
 * - Temporal failures (ApplicationFailure, CancelledFailure, ...) pass through unchanged;
 * - anything else becomes a retryable ApplicationFailure of type `Internal` with its message.
 */
export function toApplicationFailure(err: unknown): TemporalFailure {
  if (err instanceof TemporalFailure) return err;
  if (isDomainError(err)) {
    const failure = ApplicationFailure.create({
      type: err.code,
      message: err.message,
      nonRetryable: NON_RETRYABLE_CODES.includes(err.code),
      ...(err.details && err.details.length > 0 ? { details: [...err.details] } : {}),
    });
    return failure;
  }
  if (err instanceof Error) {
    return ApplicationFailure.create({ type: 'Internal', message: err.message, nonRetryable: false });
  }
  return ApplicationFailure.create({ type: 'Internal', message: String(err), nonRetryable: false });
}

/**
 * What `runStep` throws: every error the step itself raised leaves the activity non-retryable,
 * so the promotion workflow counts it against the step's error threshold (Kargo's
 * `retry.errorThreshold`) instead of Temporal retrying it unseen. `details[0].retryable` says
 * whether another attempt could help. Cancellation and other Temporal failures pass through.
 */
export function toStepFailure(err: unknown): TemporalFailure {
  if (err instanceof TemporalFailure && !(err instanceof ApplicationFailure)) return err;
  const type = err instanceof ApplicationFailure ? (err.type ?? 'Internal') : isDomainError(err) ? err.code : 'Internal';
  const retryable = err instanceof ApplicationFailure ? !err.nonRetryable : !NON_RETRYABLE_CODES.includes(type as ErrorCode);
  const message = err instanceof Error ? err.message : String(err);
  return ApplicationFailure.create({ type, message, nonRetryable: true, details: [{ retryable }] });
}
