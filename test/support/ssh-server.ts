/**
 * A real OpenSSH server for tests (Debian's `openssh-server`), on 127.0.0.1 and a free port, run
 * as the current user with its own host key and an authorized_keys file holding the keys the
 * test gives it; git over it reaches any repository by its absolute path
 * (`ssh://<user>@127.0.0.1:<port>/abs/path/repo.git`).
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '../../launcher/free-port.js';

const execFileAsync = promisify(execFile);

export const SSHD = '/usr/sbin/sshd';

/** A fresh ed25519 key pair without a passphrase: the private key's text and the public key line. */
export async function generateSSHKey(dir: string, name: string): Promise<{ privateKey: string; publicKey: string; file: string }> {
  const file = path.join(dir, name);
  await execFileAsync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', name, '-f', file]);
  return { privateKey: fs.readFileSync(file, 'utf8'), publicKey: fs.readFileSync(`${file}.pub`, 'utf8').trim(), file };
}

export class SSHServer {
  readonly user = os.userInfo().username;
  port = 0;
  /** `[127.0.0.1]:<port> <host key>`: a known_hosts line for this server. */
  knownHostsLine = '';
  private child: ChildProcess | undefined;
  private log = '';

  /** `dir`: a private temp directory for the server's files. */
  constructor(
    private readonly dir: string,
    private readonly authorizedKeys: string[],
  ) {}

  async start(): Promise<void> {
    // sshd run as root wants its privilege separation directory to exist.
    if (process.getuid?.() === 0) fs.mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
    const hostKey = path.join(this.dir, 'host_ed25519');
    await execFileAsync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', hostKey]);
    const authorized = path.join(this.dir, 'authorized_keys');
    fs.writeFileSync(authorized, `${this.authorizedKeys.join('\n')}\n`, { mode: 0o600 });
    this.port = await freePort();
    const config = path.join(this.dir, 'sshd_config');
    fs.writeFileSync(
      config,
      [
        `Port ${this.port}`,
        'ListenAddress 127.0.0.1',
        `HostKey ${hostKey}`,
        `PidFile ${path.join(this.dir, 'sshd.pid')}`,
        `AuthorizedKeysFile ${authorized}`,
        'StrictModes no',
        'UsePAM no',
        'PasswordAuthentication no',
        'KbdInteractiveAuthentication no',
        'PubkeyAuthentication yes',
        'PermitRootLogin prohibit-password',
        `AllowUsers ${this.user}`,
        'AllowAgentForwarding no',
        'AllowTcpForwarding no',
        'X11Forwarding no',
        'PrintMotd no',
        'LogLevel VERBOSE',
        '',
      ].join('\n'),
    );
    this.knownHostsLine = `[127.0.0.1]:${this.port} ${fs.readFileSync(`${hostKey}.pub`, 'utf8').trim().split(' ').slice(0, 2).join(' ')}`;
    const child = spawn(SSHD, ['-D', '-e', '-f', config], { stdio: ['ignore', 'ignore', 'pipe'] });
    this.child = child;
    child.stderr?.on('data', (d: Buffer) => (this.log += d.toString('utf8')));
    const deadline = Date.now() + 10_000;
    while (!/Server listening on/.test(this.log)) {
      if (child.exitCode !== null) throw new Error(`sshd exited: ${this.log}`);
      if (Date.now() > deadline) throw new Error(`sshd did not start: ${this.log}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** The server's log so far (what it accepted and refused). */
  output(): string {
    return this.log;
  }

  /** `ssh://user@127.0.0.1:port/<abs path>`. */
  url(repoDir: string): string {
    return `ssh://${this.user}@127.0.0.1:${this.port}${repoDir}`;
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });
  }
}
