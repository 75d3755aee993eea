/** Running helm for the helm steps: finding it, and a private home so nothing touches the user's. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { DomainError } from '../../core/errors.js';
import { checkToolURL } from './egress/egress-connect.js';
import { findBinary, lastLines, runTool, type ToolRun } from './tools.js';

export const MISSING_HELM =
  'this step needs a helm binary: run `node scripts/install-tools.mjs` (builds helm into .tools/bin with Go), put helm on PATH, or set SHUNT_HELM_PATH';

export function helmBinary(): string {
  const bin = findBinary('helm', 'SHUNT_HELM_PATH');
  if (!bin) throw new DomainError('StepFailed', MISSING_HELM);
  return bin;
}

/**
 * Credentials for helm's private chart repositories, written into the throw-away helm home only
 * (mode 0600, removed after the run): never on the command line, in the environment or in logs.
 */
export interface HelmAuth {
  /** Classic (HTTP) repositories: entries of repositories.yaml, matched by helm on `url`. */
  repositories?: { url: string; username: string; password: string }[];
  /** OCI registries by host (`ghcr.io`, `127.0.0.1:5000`): basic auth in helm's registry config. */
  registries?: Record<string, { username: string; password: string }>;
}

async function writeHelmAuth(configHome: string, auth: HelmAuth): Promise<void> {
  await fs.promises.mkdir(path.join(configHome, 'registry'), { recursive: true, mode: 0o700 });
  if (auth.repositories && auth.repositories.length > 0) {
    const file = {
      apiVersion: '',
      generated: '0001-01-01T00:00:00Z',
      repositories: auth.repositories.map((r, i) => ({
        name: `shunt-${i}`,
        url: r.url,
        username: r.username,
        password: r.password,
        caFile: '',
        certFile: '',
        keyFile: '',
        insecure_skip_tls_verify: false,
        pass_credentials_all: false,
      })),
    };
    // JSON is YAML: helm reads it as its repositories.yaml.
    await fs.promises.writeFile(path.join(configHome, 'repositories.yaml'), JSON.stringify(file), { mode: 0o600 });
  }
  const registries = Object.entries(auth.registries ?? {});
  if (registries.length > 0) {
    const auths: Record<string, { auth: string }> = {};
    for (const [host, c] of registries) auths[host] = { auth: Buffer.from(`${c.username}:${c.password}`, 'utf8').toString('base64') };
    await fs.promises.writeFile(path.join(configHome, 'registry', 'config.json'), JSON.stringify({ auths }), { mode: 0o600 });
  }
}

/** `text` with every password of `auth` (and its basic-auth forms) replaced by `***`. */
export function scrubHelmAuth(text: string, auth: HelmAuth | undefined): string {
  if (!auth) return text;
  const creds = [...(auth.repositories ?? []), ...Object.values(auth.registries ?? {})];
  let out = text;
  for (const c of creds) {
    for (const secret of [c.password, Buffer.from(`${c.username}:${c.password}`).toString('base64'), encodeURIComponent(c.password)]) {
      if (secret.length >= 4) out = out.split(secret).join('***');
    }
  }
  return out;
}

/** Checks every repository a chart's Chart.yaml declares against the egress policy (helm connects itself). */
async function checkChartRepositories(chartDir: string): Promise<void> {
  let chart: unknown;
  try {
    chart = parseYaml(await fs.promises.readFile(path.join(chartDir, 'Chart.yaml'), 'utf8'));
  } catch {
    return; // helm reports a missing or broken Chart.yaml in its own words
  }
  const deps = (chart as { dependencies?: unknown } | null)?.dependencies;
  for (const d of Array.isArray(deps) ? deps : []) {
    const repository = (d as { repository?: unknown } | null)?.repository;
    if (typeof repository === 'string') await checkToolURL(repository);
  }
}

/**
 * Runs helm with `args` in a throw-away HELM_*_HOME (with `auth` written into it); a non-zero
 * exit is StepFailed with `what` and the end of helm's stderr (passwords scrubbed), unless
 * `explain` turns that stderr into a clearer error.
 */
export async function runHelm(
  args: string[],
  opts: {
    cwd: string;
    what: string;
    signal?: AbortSignal;
    heartbeat?: () => void;
    hide?: string;
    shown?: string;
    auth?: HelmAuth;
    /** Gets helm's stdout and stderr (scrubbed). */
    explain?: (output: string) => DomainError | undefined;
  },
): Promise<ToolRun> {
  if (args[0] === 'dependency' && args[2] !== undefined) await checkChartRepositories(args[2]);
  const bin = helmBinary();
  const home = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'shunt-helm-'));
  try {
    if (opts.auth) await writeHelmAuth(path.join(home, 'config'), opts.auth);
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
      const stderr = scrubHelmAuth(res.stderr, opts.auth);
      // helm reports a repository it could not refresh on stdout, then fails on stderr.
      const explained = opts.explain?.(`${scrubHelmAuth(res.stdout, opts.auth)}\n${stderr}`);
      if (explained) throw explained;
      const detail = opts.hide ? stderr.split(opts.hide).join(opts.shown ?? '.') : stderr;
      throw new DomainError('StepFailed', `${opts.what} failed: ${lastLines(detail)}`);
    }
    return res;
  } finally {
    await fs.promises.rm(home, { recursive: true, force: true });
  }
}
