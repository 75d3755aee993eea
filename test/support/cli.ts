/**
 * The one way tests run the `shunt` CLI: in-process through `run` (fast; the io seams — clock,
 * fetch, poll interval — can be set), or as the real binary `bin/shunt.js` in a child process,
 * as a user runs it. Either way the result is the exit code and everything written.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { run } from '../../cli/index.js';
import type { CliIo } from '../../cli/io.js';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface ShuntOptions extends Partial<Omit<CliIo, 'stdout' | 'stderr'>> {
  /** SHUNT_SERVER. */
  server?: string;
  /** SHUNT_TOKEN. */
  token?: string;
  /** Sent as `x-shunt-actor` on every request (the api's trusted-header mode). */
  actor?: string;
}

/**
 * `shunt argv…` in-process. The environment is only what `server`, `token` and `env` say (never
 * the test process's own), so a developer's SHUNT_* settings cannot leak in.
 */
export async function shunt(argv: readonly string[], opts: ShuntOptions = {}): Promise<CliResult> {
  const { server, token, actor, env, fetch: fetchFn, ...io } = opts;
  let stdout = '';
  let stderr = '';
  const baseFetch = fetchFn ?? globalThis.fetch;
  const code = await run(argv, {
    ...io,
    env: { ...(server === undefined ? {} : { SHUNT_SERVER: server }), ...(token === undefined ? {} : { SHUNT_TOKEN: token }), ...env },
    fetch:
      actor === undefined
        ? baseFetch
        : (input, init) => baseFetch(input, { ...init, headers: { ...(init?.headers as Record<string, string> | undefined), 'x-shunt-actor': actor } }),
    stdout: (text) => void (stdout += text),
    stderr: (text) => void (stderr += text),
  });
  return { code, stdout, stderr };
}

const SHUNT_BIN = join(fileURLToPath(new URL('../..', import.meta.url)), 'bin', 'shunt.js');

/**
 * `shunt argv…` as the built binary (needs `npm run build`), in a child process with this
 * process's environment plus `server` and `env`.
 */
export function shuntBinary(argv: readonly string[], opts: { server?: string; env?: Record<string, string>; cwd?: string; timeoutMs?: number } = {}): Promise<CliResult> {
  const env = { ...process.env, ...(opts.server === undefined ? {} : { SHUNT_SERVER: opts.server }), ...opts.env };
  return new Promise((resolve) => {
    execFile(process.execPath, [SHUNT_BIN, ...argv], { env, timeout: opts.timeoutMs ?? 120_000, ...(opts.cwd ? { cwd: opts.cwd } : {}) }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof (err as { code?: unknown }).code === 'number' ? ((err as { code: number }).code) : 1;
      resolve({ code, stdout, stderr });
    });
  });
}
