/**
 * Runs git: the one place a git process is started. From the hermetic, hardened environment
 * (hermetic-env.ts), with per-command remote settings, remote URLs checked (remote-url.ts),
 * errors redacted.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { authEnv } from './auth-env.js';
import { commandError } from './git-failures.js';
import { allowedProtocols, hermeticEnv } from './hermetic-env.js';
import { redact } from './redact.js';
import { assertRemoteURLAllowed } from './remote-url.js';
import { isSSHURL, withSSHAccess } from './ssh-env.js';
import { withPrivateTempDir } from '../private-dir.js';
import { spawnHelper } from '../spawn-helper.js';
import type { OperationHooks, RemoteAccess } from './types.js';

export interface GitRun {
  stdout: string;
  stderr: string;
  code: number;
}

export interface RunOptions extends OperationHooks {
  cwd: string;
  access?: RemoteAccess | undefined;
  /** The URL the command talks to (to decide about http credentials, and for messages). */
  remoteURL?: string | undefined;
  input?: string;
  extraEnv?: Record<string, string>;
  /** Resolve with a non-zero exit code instead of throwing. */
  allowFailure?: boolean;
}

export interface GitCommandOptions {
  /** The worker's data directory: holds the empty hooks directory; no remote may lie inside it. */
  dataDir: string;
  /** The environment every command starts from, before it is made hermetic. */
  env: Record<string, string | undefined>;
  /** Send credentials over plain `http://` to non-loopback hosts. */
  allowCredentialsOverHTTP: boolean;
  /** Heartbeat interval while a git process runs. */
  heartbeatIntervalMs: number;
}

/** Where an operation's key files live while one git command runs (ssh-env.ts, signing). */
export function gitSecretsDir(dataDir: string): string {
  return path.join(path.resolve(dataDir), 'git', 'secrets');
}

export class GitCommand {
  private readonly baseEnv: Record<string, string>;
  private readonly allowCredentialsOverHTTP: boolean;
  private readonly heartbeatIntervalMs: number;
  private readonly dataDir: string;
  private readonly hooksDir: string;
  /** Where an SSH key lives while one command runs (see ssh-env.ts). */
  private readonly secretsDir: string;
  private readonly sourceEnv: Record<string, string | undefined>;
  /** Whether the operator's transport list (GIT_ALLOW_PROTOCOL) lets ssh be used at all. */
  private readonly sshAllowed: boolean;
  private hooksDirReady = false;

  constructor(opts: GitCommandOptions) {
    this.dataDir = path.resolve(opts.dataDir);
    this.hooksDir = path.join(this.dataDir, 'git', 'no-hooks');
    this.secretsDir = gitSecretsDir(this.dataDir);
    this.sourceEnv = opts.env;
    this.baseEnv = hermeticEnv(opts.env, this.hooksDir);
    this.sshAllowed = allowedProtocols(opts.env).includes('ssh');
    this.allowCredentialsOverHTTP = opts.allowCredentialsOverHTTP;
    this.heartbeatIntervalMs = opts.heartbeatIntervalMs;
  }

  /**
   * Runs `git <args>`. Rejects with a redacted error on a non-zero exit unless `allowFailure`.
   *
   * @throws DomainError('StepFailed') (synchronously) when credentials may not go to the remote.
   */
  run(args: string[], opts: RunOptions): Promise<GitRun> {
    if (opts.remoteURL !== undefined) this.assertRemoteAllowed(opts.remoteURL);
    if (!this.hooksDirReady) {
      // Empty, and Shunt's own: the only place git looks for hooks.
      fs.mkdirSync(this.hooksDir, { recursive: true, mode: 0o700 });
      this.hooksDirReady = true;
    }
    const env: Record<string, string> = {
      ...this.baseEnv,
      ...authEnv({
        access: opts.access,
        remoteURL: opts.remoteURL,
        baseEnv: this.baseEnv,
        allowCredentialsOverHTTP: this.allowCredentialsOverHTTP,
      }),
      ...(opts.extraEnv ?? {}),
    };
    // ssh is an allowed transport only for a command whose remote is an SSH URL.
    if (isSSHURL(opts.remoteURL) && this.sshAllowed) env['GIT_ALLOW_PROTOCOL'] = `${env['GIT_ALLOW_PROTOCOL'] ?? ''}:ssh`.replace(/^:/, '');
    return withSSHAccess({ access: opts.access, remoteURL: opts.remoteURL, secretsDir: this.secretsDir, env: this.sourceEnv }, (sshEnv) =>
      this.spawnGit(args, { ...env, ...sshEnv }, opts),
    );
  }

  /**
   * Starts git, without a shell: `args` go to git as they are, the environment is exactly
   * `env`. It resolves when git has exited and its output is read. Git is started by the
   * process's spawn helper (spawn-helper.ts), not forked from this large process; and not
   * through simple-git, which waits 50 ms more after every command that prints nothing
   * (docs/adr/0006-git-without-simple-git.md).
   */
  private async spawnGit(args: string[], env: Record<string, string>, opts: RunOptions): Promise<GitRun> {
    const beat = opts.heartbeat
      ? setInterval(() => {
          try {
            opts.heartbeat?.();
          } catch {
            /* heartbeat failures must not break git */
          }
        }, this.heartbeatIntervalMs)
      : undefined;
    let ran;
    try {
      ran = await spawnHelper.run({ file: 'git', args, cwd: opts.cwd, env, input: opts.input, signal: opts.signal });
    } catch (e) {
      throw new Error(redact(`git ${args[0] ?? ''} could not run: ${(e as Error).message}`, opts.access));
    } finally {
      if (beat) clearInterval(beat);
    }
    const res: GitRun = { stdout: ran.stdout.toString('utf8'), stderr: ran.stderr.toString('utf8'), code: ran.code ?? 128 };
    if (ran.code === null) res.stderr += `${res.stderr && !res.stderr.endsWith('\n') ? '\n' : ''}git was killed by ${ran.signal ?? 'a signal'}`;
    if (res.code !== 0 && !opts.allowFailure) throw commandError(args, res, opts.access, opts.remoteURL);
    return res;
  }

  /** Runs `fn` with a private directory for one operation's secrets, removed afterwards. */
  withPrivateDir<T>(fn: (dir: string) => Promise<T>): Promise<T> {
    return withPrivateTempDir(this.secretsDir, fn);
  }

  /** @throws DomainError('StepFailed') when git may not be pointed at `url` (see remote-url.ts). */
  assertRemoteAllowed(url: string): void {
    assertRemoteURLAllowed(url, this.dataDir);
  }

  async revParse(cwd: string, rev: string): Promise<string> {
    return (await this.run(['rev-parse', '--verify', rev], { cwd })).stdout.trim();
  }

  async tryRevParse(cwd: string, rev: string): Promise<string | undefined> {
    const res = await this.run(['rev-parse', '--verify', '--quiet', rev], { cwd, allowFailure: true });
    const out = res.stdout.trim();
    return res.code === 0 && out ? out : undefined;
  }

  async isAncestor(cwd: string, a: string, b: string): Promise<boolean> {
    const res = await this.run(['merge-base', '--is-ancestor', a, b], { cwd, allowFailure: true });
    return res.code === 0;
  }
}
