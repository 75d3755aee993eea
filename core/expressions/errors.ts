import { DomainError, type ErrorCode } from '../errors.js';

/**
 * Thrown when a `${{ }}` template or a bare expression cannot be parsed or evaluated.
 *
 * It is a {@link DomainError} with code `InvalidExpression`, or `BudgetExceeded` when the evaluation
 * went over its budget (both non-retryable), so the activity boundary converts it like any other
 * domain failure. `position` is a 0-based character offset into
 * `expression` (absent when the problem is not tied to one spot). `path` is set by `renderTemplate`
 * to the location of the failing value, e.g. `images[0].tag`.
 *
 * (`name` stays 'DomainError': callers branch on `code`, never on class names.)
 *
 * Message shape: `[<path>: ]<detail>[ at position <n>] in \`<expression>\``.
 */
export class ExpressionError extends DomainError {
  /** What went wrong, without position, expression or path. */
  readonly detail: string;
  readonly expression: string;
  readonly position?: number;
  readonly path?: string;

  constructor(
    detail: string,
    expression: string,
    position?: number,
    path?: string,
    code: Extract<ErrorCode, 'InvalidExpression' | 'BudgetExceeded'> = 'InvalidExpression',
  ) {
    const where = position === undefined ? '' : ` at position ${position}`;
    const prefix = path === undefined || path === '' ? '' : `${path}: `;
    super(code, `${prefix}${detail}${where} in \`${expression}\``);
    this.detail = detail;
    this.expression = expression;
    if (position !== undefined) this.position = position;
    if (path !== undefined && path !== '') this.path = path;
  }

  /** The same error naming the path of the value that holds the expression. */
  withPath(path: string): ExpressionError {
    if (this.path !== undefined || path === '') return this;
    return new ExpressionError(this.detail, this.expression, this.position, path, this.code as 'InvalidExpression' | 'BudgetExceeded');
  }
}

/**
 * Thrown by builtins and Kargo functions; the evaluator turns it into an {@link ExpressionError}
 * pointing at the call. Plain `Error`s thrown by injected functions are wrapped the same way.
 */
export class FunctionError extends Error {
  override readonly name = 'FunctionError';
}
