/** Running helm for the helm steps: finding it, and a private home so nothing touches the user's. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DomainError } from '../../core/errors.js';
import { findBinary, lastLines, runTool, type ToolRun } from './tools.js';

export const MISSING_HELM =
  'this step needs a helm binary: run `node scripts/install-tools.mjs` (builds helm into .tools/bin with Go), put helm on PATH, or set SHUNT_HELM_PATH';

export function helmBinary(): string {
  const bin = findBinary('helm', 'SHUNT_HELM_PATH');
  if (!bin) throw new DomainError('StepFailed', MISSING_HELM);
  return bin;
}

/** Runs helm with `args` in a throw-away HELM_*_HOME; a non-zero exit is StepFailed with `what`. */
export async function runHelm(
  args: string[],
  opts: { cwd: string; what: string; signal?: AbortSignal; heartbeat?: () => void; hide?: string; shown?: string },
): Promise<ToolRun> {
  const bin = helmBinary();
  const home = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'shunt-helm-'));
  try {
    const res = await runTool(bin, args, {
      cwd: opts.cwd,
      env: {
        PATH: process.env['PATH'] ?? '',
        HOME: home,
        HELM_CACHE_HOME: path.join(home, 'cache'),
        HELM_CONFIG_HOME: path.join(home, 'config'),
        HELM_DATA_HOME: path.join(home, 'data'),
        KUBECONFIG: path.join(home, 'kubeconfig'),
      },
      ...(opts.signal ? { signal: opts.signal } : {}),
      ...(opts.heartbeat ? { heartbeat: opts.heartbeat } : {}),
    });
    if (res.code !== 0) {
      const detail = opts.hide ? res.stderr.split(opts.hide).join(opts.shown ?? '.') : res.stderr;
      throw new DomainError('StepFailed', `${opts.what} failed: ${lastLines(detail)}`);
    }
    return res;
  } finally {
    await fs.promises.rm(home, { recursive: true, force: true });
  }
}
