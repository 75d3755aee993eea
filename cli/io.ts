/**
 * Everything the CLI touches outside itself, passed in so that tests run the program in-process.
 * Only `stdout` and `stderr` are required; the rest default to the real process's.
 */
export interface CliIo {
  /** Writes text as is (callers add the newline), like `process.stdout.write`. */
  stdout(text: string): void;
  stderr(text: string): void;
  /** Read for SHUNT_SERVER and SHUNT_TOKEN; default `process.env`. */
  env?: Readonly<Record<string, string | undefined>>;
  fetch?: typeof fetch;
  now?: () => Date;
  sleep?: (ms: number) => Promise<void>;
  /** Base for relative `-f` paths; default `process.cwd()`. */
  cwd?: string;
  /** How often `promote --wait` polls; default 500 ms. */
  pollIntervalMs?: number;
  /** Ends what runs until stopped (`get --watch`); default: never (Ctrl-C ends the process). */
  signal?: AbortSignal;
}

export type ResolvedIo = Required<CliIo>;

export const DEFAULT_POLL_INTERVAL_MS = 500;

export function resolveIo(io: CliIo): ResolvedIo {
  return {
    stdout: io.stdout,
    stderr: io.stderr,
    env: io.env ?? process.env,
    fetch: io.fetch ?? globalThis.fetch,
    now: io.now ?? (() => new Date()),
    sleep: io.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms))),
    cwd: io.cwd ?? process.cwd(),
    pollIntervalMs: io.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS,
    signal: io.signal ?? new AbortController().signal,
  };
}
