/**
 * Debian's `docker-registry` (distribution) on 127.0.0.1 and a free port, storage in a temp dir;
 * optionally behind htpasswd (bcrypt, made with `htpasswd -B`). It can be stopped and started
 * again on the same port and storage, to test a registry that goes down and comes back.
 * A missing binary is a clear failure: `.ci/apt-packages` lists docker-registry and apache2-utils.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../launcher/free-port.js';

export interface TestRegistry {
  /** `127.0.0.1:<port>`: image references start with it. */
  host: string;
  auth?: { username: string; password: string };
  stop(): Promise<void>;
  start(): Promise<void>;
  dispose(): Promise<void>;
}

function requireBinary(name: string, pkg: string): string {
  for (const dir of (process.env.PATH ?? '/usr/bin').split(':')) {
    const p = join(dir, name);
    if (existsSync(p)) return p;
  }
  throw new Error(`${name} is not installed: apt-get install -y ${pkg} (listed in .ci/apt-packages)`);
}

export async function startRegistry(opts: { auth?: { username: string; password: string } } = {}): Promise<TestRegistry> {
  const binary = requireBinary('docker-registry', 'docker-registry');
  const dir = await mkdtemp(join(tmpdir(), 'shunt-registry-'));
  const port = await freePort();
  const host = `127.0.0.1:${port}`;
  let authBlock = '';
  if (opts.auth) {
    const htpasswd = requireBinary('htpasswd', 'apache2-utils');
    execFileSync(htpasswd, ['-B', '-b', '-c', join(dir, 'htpasswd'), opts.auth.username, opts.auth.password], { stdio: 'ignore' });
    authBlock = `auth:\n  htpasswd:\n    realm: shunt-test\n    path: ${join(dir, 'htpasswd')}\n`;
  }
  const config = join(dir, 'config.yml');
  await writeFile(
    config,
    `version: 0.1\nlog:\n  level: error\n  accesslog:\n    disabled: true\nstorage:\n  filesystem:\n    rootdirectory: ${join(dir, 'data')}\n  delete:\n    enabled: true\nhttp:\n  addr: ${host}\n${authBlock}`,
  );
  let child: ChildProcess | undefined;
  let output = '';

  const start = async (): Promise<void> => {
    output = '';
    child = spawn(binary, ['serve', config], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
    const deadline = Date.now() + 20_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`docker-registry exited (${child.exitCode}): ${output}`);
      try {
        const res = await fetch(`http://${host}/v2/`);
        if (res.status === 200 || res.status === 401) return;
      } catch {
        /* not up yet */
      }
      if (Date.now() > deadline) throw new Error(`docker-registry did not start on ${host}: ${output}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  const stop = async (): Promise<void> => {
    const c = child;
    child = undefined;
    if (!c || c.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      c.once('exit', () => resolve());
      c.kill('SIGTERM');
    });
  };
  await start();
  return {
    host,
    ...(opts.auth ? { auth: opts.auth } : {}),
    start,
    stop,
    async dispose() {
      await stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
