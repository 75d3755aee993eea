/**
 * Runs git: the one place a git process is started. From the hermetic, hardened environment
 * (hermetic-env.ts), with per-command remote settings, remote URLs checked (remote-url.ts),
 * errors redacted.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { simpleGit, type SimpleGitOptions } from 'simple-git';
import { authEnv } from './auth-env.js';
import { commandError } from './git-failures.js';
import { allowedProtocols, hermeticEnv } from './hermetic-env.js';
import { redact } from './redact.js';
import { assertRemoteURLAllowed } from './remote-url.js';
import { isSSHURL, withSSHAccess } from './ssh-env.js';
import { withPrivateTempDir } from '../private-dir.js';
import type { OperationHooks, RemoteAccess } from './types.js';

/** simple-git's guards, each turned off (see spawnGit). */
const UNSAFE_OFF: SimpleGitOptions['unsafe'] = {
  allowUnsafeAlias: true,
  allowUnsafeAskPass: true,
  allowUnsafeCommandBinaries: true,
  allowUnsafeConfigEnvCount: true,
  allowUnsafeConfigPaths: true,
  allowUnsafeCredentialHelper: true,
  allowUnsafeDiffExternal: true,
  allowUnsafeDiffTextConv: true,
  allowUnsafeEditor: true,
  allowUnsafeExec: true,
  allowUnsafeFilter: true,
  allowUnsafeFsMonitor: true,
  allowUnsafeGitProxy: true,
  allowUnsafeGpgProgram: true,
  allowUnsafeHooksPath: true,
  allowUnsafeInclude: true,
  allowUnsafeMergeDriver: true,
  allowUnsafePack: true,
  allowUnsafePager: true,
  allowUnsafeProtocolOverride: true,
  allowUnsafeSshCommand: true,
  allowUnsafeSubmodule: true,
  allowUnsafeTemplateDir: true,
  allowUnsafeUrlRewrite: true,
};

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
   * Runs git through simple-git: one instance per command (its own stdin, abort signal and
   * error capture). simple-git guards against environments and `-c` options that make git run
   * commands; the environment here is Shunt's own hermetic one (hermetic-env.ts), whose
   * hardening sets exactly such keys (hooks path, fsmonitor, askpass, ssh command, config
   * entries), so every key of it is allowed and those guards are off: the guarding is done by
   * hermetic-env.ts, remote-url.ts and ssh-env.ts before any command gets here.
   */
  private spawnGit(args: string[], env: Record<string, string>, opts: RunOptions): Promise<GitRun> {
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let exitCode = 0;
    const beat = opts.heartbeat
      ? setInterval(() => {
          try {
            opts.heartbeat?.();
          } catch {
            /* heartbeat failures must not break git */
          }
        }, this.heartbeatIntervalMs)
      : undefined;
    const git = simpleGit({
      baseDir: opts.cwd,
      allowEnvironment: Object.keys(env),
      unsafe: UNSAFE_OFF,
      ...(opts.signal ? { abort: opts.signal } : {}),
      // simple-git leaves stdin open when there is nothing to write: an empty input is given as a
      // lone newline (the same message after git's clean-up), and no caller's command reads
      // stdin without an input.
      input: () => (opts.input === '' ? '\n' : opts.input),
      // A non-zero exit is a result here, not an error: the caller decides (allowFailure).
      errors: (error, result) => {
        exitCode = result.exitCode;
        return result.exitCode !== 0 ? undefined : error;
      },
    })
      .env(env)
      .outputHandler((_cmd, stdout, stderr) => {
        stdout.on('data', (d: Buffer) => out.push(d));
        stderr.on('data', (d: Buffer) => err.push(d));
      });
    return git.raw(args).then(
      () => {
        if (beat) clearInterval(beat);
        const res: GitRun = { stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8'), code: exitCode };
        if (res.code !== 0 && !opts.allowFailure) throw commandError(args, res, opts.access, opts.remoteURL);
        return res;
      },
      (e: Error) => {
        if (beat) clearInterval(beat);
        throw new Error(redact(`git ${args[0] ?? ''} could not run: ${e.message}`, opts.access));
      },
    );
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
