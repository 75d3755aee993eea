/**
 * The error codes Shunt uses across every boundary. Activities convert a DomainError to an
 * ApplicationFailure whose `type` is the code; workflows and the api branch on that string,
 * never on class identity (instanceof is unreliable across the workflow sandbox and jest).
 */
export type ErrorCode =
  /** A manifest failed to parse or validate; `details` lists each problem. */
  | 'InvalidManifest'
  /** A step's config (after expression evaluation) does not match its schema. */
  | 'InvalidStepConfig'
  /** A `${{ }}` expression failed to parse or evaluate. */
  | 'InvalidExpression'
  /** A step failed for a business reason (e.g. the PR was closed); not retried. */
  | 'StepFailed'
  /** The request names something that does not exist. */
  | 'NotFound'
  /** The request is well-formed but the current state refuses it (e.g. freight not available). */
  | 'FailedPrecondition'
  /** The request conflicts with what exists (e.g. an alias already taken). */
  | 'Conflict'
  /** The request itself is malformed. */
  | 'BadRequest'
  /** A path escapes the promotion's workspace. */
  | 'PathEscape'
  /** The caller did not prove who it is (no, malformed, unknown or invalid token). */
  | 'Unauthenticated'
  /** The caller is known but lacks the role the request needs. */
  | 'PermissionDenied'
  /** An expression went over its memory, operation, item or time budget (core/expressions/budget.ts). */
  | 'BudgetExceeded'
  /** A value is too large to send to Temporal (core/payload-budget.ts); it is not sent. */
  | 'PayloadTooLarge'
  /** A dependency (Temporal, git remote) cannot be reached right now. */
  | 'Unavailable'
  | 'Internal';

/** Thrown by pure code and activities for every failure that has a meaning to the user. */
export class DomainError extends Error {
  override readonly name = 'DomainError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: readonly string[] = [],
  ) {
    super(message);
  }
}

/** Codes a retry cannot fix: an activity failing with one of these is not retried. */
export const NON_RETRYABLE_CODES: readonly ErrorCode[] = [
  'InvalidManifest',
  'InvalidStepConfig',
  'InvalidExpression',
  'StepFailed',
  'NotFound',
  'FailedPrecondition',
  'Conflict',
  'BadRequest',
  'PathEscape',
  'Unauthenticated',
  'PermissionDenied',
  'BudgetExceeded',
  'PayloadTooLarge',
];

export function isErrorCode(value: unknown): value is ErrorCode {
  return (
    typeof value === 'string' &&
    [...NON_RETRYABLE_CODES, 'Unavailable', 'Internal'].includes(value as ErrorCode)
  );
}
