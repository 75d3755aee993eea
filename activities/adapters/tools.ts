/**
 * External binaries some steps run (kubectl / kustomize, helm): finding them, and running them
 * without a shell, with a timeout, cancellation and captured output. A missing binary is a
 * StepFailed saying what to install.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DomainError } from '../../core/errors.js';
import { spawnHelper } from './spawn-helper.js';

function executable(p: string): boolean {
  try {
    const st = fs.statSync(p);
    return st.isFile() && (st.mode & 0o111) !== 0;
  } catch {
    return false;
  }
}

/** The package root (the folder with package.json), for `.tools/bin`. */
function packageRoot(): string | undefined {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (fs.existsSync(path.join(dir, 'package.json'))) return dir;
    const up = path.dirname(dir);
    if (up === dir) return undefined;
    dir = up;
  }
}

/**
 * `$<envVar>`, then PATH, then `<package>/.tools/bin/<name>`; undefined when none has it.
 * @throws DomainError('StepFailed') when `$<envVar>` names a file that is not executable.
 */
export function findBinary(name: string, envVar: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const fromEnv = env[envVar];
  if (fromEnv) {
    if (executable(fromEnv)) return fromEnv;
    throw new DomainError('StepFailed', `${envVar}=${fromEnv} is not an executable file`);
  }
  for (const dir of (env['PATH'] ?? '').split(path.delimiter)) {
    if (dir && executable(path.join(dir, name))) return path.join(dir, name);
  }
  const root = packageRoot();
  const local = root ? path.join(root, '.tools', 'bin', name) : undefined;
  return local && executable(local) ? local : undefined;
}

export interface ToolRun {
  stdout: string;
  stderr: string;
  code: number;
}

/**
 * Runs `bin args` in `cwd` (through the spawn helper, spawn-helper.ts); resolves with the exit
 * code (never throws for a non-zero exit; killed after `timeoutMs`, 5 minutes by default).
 */
export async function runTool(
  bin: string,
  args: string[],
  opts: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs?: number; signal?: AbortSignal; heartbeat?: () => void },
): Promise<ToolRun> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(opts.env ?? process.env)) if (v !== undefined) env[k] = v;
  const beat = opts.heartbeat ? setInterval(opts.heartbeat, 2000) : undefined;
  try {
    const res = await spawnHelper.run({ file: bin, args, cwd: opts.cwd, env, signal: opts.signal, timeoutMs: opts.timeoutMs ?? 5 * 60_000 });
    return { stdout: res.stdout.toString('utf8'), stderr: res.stderr.toString('utf8'), code: res.code ?? (res.signal ? 128 : 1) };
  } finally {
    if (beat) clearInterval(beat);
  }
}

/** The last lines of a tool's error output, for messages. */
export function lastLines(text: string, n = 5): string {
  return text.trim().split('\n').slice(-n).join('\n');
}
