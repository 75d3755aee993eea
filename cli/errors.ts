/**
 * A failure the CLI reports as one `error: <message>` line on stderr (plus the server's
 * `details`, one per line, when it sent any) and exit status 1.
 */
export class CliError extends Error {
  override readonly name: string = 'CliError';
  constructor(
    message: string,
    readonly details: readonly string[] = [],
  ) {
    super(message);
  }
}

/** The api refused a request; `message` is the server's own message. */
export class ApiError extends CliError {
  override readonly name: string = 'ApiError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    details: readonly string[] = [],
  ) {
    super(message, details);
  }
}
