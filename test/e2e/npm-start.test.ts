/**
 * `npm start` as a person runs it: the built launcher starts an embedded Temporal (SQLite in the
 * data dir), the worker and the api as real processes; /healthz turns 200, the Web UI answers,
 * a promotion runs, Ctrl-C stops everything, and a restart on the same data dir keeps every
 * workflow.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { freePort } from '../../launcher/free-port.js';
import { shuntBinary, type CliResult } from '../support/cli.js';
import { eventually } from '../support/poll.js';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../..', import.meta.url));
const example = join(root, 'examples', 'three-stage');

let work: string;
let ports: { api: number; temporal: number; ui: number };
let launcher: ChildProcess | undefined;
let output = '';

async function startLauncher(external?: { address: string; namespace: string }, apiPort?: number): Promise<ChildProcess> {
  // Fresh ports for each start: a port free a minute ago may since have gone to another process.
  ports = { api: apiPort ?? (await freePort()), temporal: await freePort(), ui: await freePort() };
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    SHUNT_DATA_DIR: join(work, external ? 'external-data' : 'data'),
    SHUNT_PORT: String(ports.api),
    SHUNT_TEMPORAL_PORT: String(ports.temporal),
    SHUNT_TEMPORAL_UI_PORT: String(ports.ui),
    SHUNT_LOG_LEVEL: 'warn',
  };
  delete env.TEMPORAL_ADDRESS;
  delete env.MALLOC_ARENA_MAX;
  delete env.GLIBC_TUNABLES;
  if (external) {
    env.TEMPORAL_ADDRESS = external.address;
    env.TEMPORAL_NAMESPACE = external.namespace;
  }
  const child = spawn(process.execPath, [join(root, 'dist', 'launcher', 'main.js')], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  return child;
}

async function stopLauncher(child: ChildProcess): Promise<number | null> {
  // A launcher killed by a signal has no exit code but has exited all the same.
  if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
  child.kill('SIGINT');
  const [code] = (await once(child, 'exit')) as [number | null];
  return code;
}

async function healthy(): Promise<boolean> {
  return eventually(
    async () => ((await fetch(`http://127.0.0.1:${ports.api}/healthz`).catch(() => undefined))?.status === 200 ? true : undefined),
    () => `GET /healthz to answer 200 (launcher output:\n${output.split('\n').filter((l) => !l.startsWith('temporal: time=')).join('\n')})`,
    90_000,
  );
}

/**
 * Processes started for a data dir (every one inherits SHUNT_DATA_DIR): what a launch left
 * running. Reads /proc, so Linux only, like this project's machines.
 */
function processesUsing(dataDir: string): { pid: number; command: string }[] {
  const marker = `SHUNT_DATA_DIR=${dataDir}\0`;
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry) && Number(entry) !== process.pid)
    .flatMap((entry) => {
      try {
        if (!`${readFileSync(`/proc/${entry}/environ`, 'latin1')}\0`.includes(marker)) return [];
        return [{ pid: Number(entry), command: readFileSync(`/proc/${entry}/cmdline`, 'latin1').replaceAll('\0', ' ').trim() }];
      } catch {
        return [];
      }
    });
}

const shunt = (...args: string[]): Promise<CliResult> => shuntBinary(args, { server: `http://127.0.0.1:${ports.api}` });

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'shunt-start-'));
  await run('bash', [join(example, 'make-demo-repo.sh'), join(work, 'demo')]);
  const pipeline = (await readFile(join(example, 'pipeline.yaml'), 'utf8')).replaceAll(
    'file:///tmp/shunt-demo/gitops.git',
    `file://${join(work, 'demo', 'gitops.git')}`,
  );
  await writeFile(join(work, 'pipeline.yaml'), pipeline);
});

afterAll(async () => {
  if (launcher) await stopLauncher(launcher);
  if (work) await rm(work, { recursive: true, force: true });
});

describe('npm start on the embedded default', () => {
  let promotion = '';

  it('starts Temporal, the worker and the api; /healthz answers 200 once ready', async () => {
    launcher = await startLauncher();
    expect(await healthy()).toBe(true);
    expect(existsSync(join(work, 'data', 'temporal.db'))).toBe(true);
    // The server's log goes to a file the launcher follows, not to a pipe the server would die on without the launcher.
    expect(existsSync(join(work, 'data', 'temporal.log'))).toBe(true);
    const ui = await fetch(`http://127.0.0.1:${ports.ui}/`);
    expect(ui.status).toBe(200);
    // The worker runs with fewer malloc arenas and a fixed trim threshold (launcher/main.ts); the api keeps glibc's defaults.
    const environOf = (command: string): string[] =>
      readFileSync(`/proc/${processesUsing(join(work, 'data')).find((p) => p.command.includes(command))!.pid}/environ`, 'latin1').split('\0');
    expect(environOf('dist/worker/main.js')).toContain('MALLOC_ARENA_MAX=2');
    expect(environOf('dist/worker/main.js')).toContain('GLIBC_TUNABLES=glibc.malloc.trim_threshold=131072');
    expect(environOf('dist/api/server.js').some((e) => e.startsWith('MALLOC_ARENA_MAX=') || e.startsWith('GLIBC_TUNABLES='))).toBe(false);
    // The embedded default stays open, on loopback only, and says so.
    expect(output).toContain('shunt: access control OFF: the api listens on 127.0.0.1 only; set SHUNT_AUTH_CONFIG to require tokens');
  });

  it('promotes freight through the running processes', async () => {
    expect((await shunt('apply', '-f', join(work, 'pipeline.yaml'))).code).toBe(0);
    expect((await shunt('apply', '-f', join(example, 'freight-1.0.0.yaml'))).code).toBe(0);
    const freight = JSON.parse((await shunt('get', 'freight', '--project', 'demo', '-o', 'json')).stdout);
    const result = await shunt('promote', '--project', 'demo', '--freight', freight.items[0].alias, '--stage', 'dev', '--wait');
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    promotion = /promotion (\S+) created/.exec(result.stdout)![1]!;
    // The api's /metrics carries the worker's, measured in the worker process.
    const metrics = await eventually(async () => {
      const text = await (await fetch(`http://127.0.0.1:${ports.api}/metrics`)).text();
      return text.includes('shunt_promotions_total{project="demo",stage="dev",phase="Succeeded"} 1') ? text : undefined;
    }, 'the worker\'s promotion counter at the api\'s /metrics');
    expect(metrics).toMatch(/^shunt_worker_process_cpu_user_seconds_total /m);
    expect(metrics).toMatch(/^shunt_api_process_cpu_user_seconds_total /m);
  });

  it('serves the Temporal Web UI read-only: reads and queries pass, terminate and signal are refused', async () => {
    const ui = `http://127.0.0.1:${ports.ui}/api/v1/namespaces/default`;
    const list = await fetch(`${ui}/workflows?query=${encodeURIComponent('WorkflowId STARTS_WITH "project:"')}`);
    expect(list.status).toBe(200);
    const listed = (await list.json()) as { executions?: { execution: { workflowId: string } }[] };
    const workflowId = listed.executions?.[0]?.execution.workflowId;
    expect(workflowId).toMatch(/^project:/);
    for (const action of ['terminate', 'cancel', 'signal/anything', 'reset']) {
      const refused = await fetch(`${ui}/workflows/${encodeURIComponent(workflowId!)}/${action}`, { method: 'POST', body: '{}' });
      expect(refused.status).toBe(403);
      expect(((await refused.json()) as { message: string }).message).toContain('read-only');
    }
    // The project workflow is still running: nothing reached the server.
    const described = await fetch(`${ui}/workflows/${encodeURIComponent(workflowId!)}`);
    expect(((await described.json()) as { workflowExecutionInfo: { status: string } }).workflowExecutionInfo.status).toBe('WORKFLOW_EXECUTION_STATUS_RUNNING');
  });

  it('stops every process on Ctrl-C', async () => {
    expect(processesUsing(join(work, 'data')).map((p) => p.command)).toEqual(
      expect.arrayContaining([expect.stringContaining('start-dev'), expect.stringContaining('dist/worker/main.js'), expect.stringContaining('dist/api/server.js')]),
    );
    const code = await stopLauncher(launcher!);
    expect(code).toBe(0);
    expect(processesUsing(join(work, 'data'))).toEqual([]);
  });

  it('keeps every workflow across a restart on the same data dir', async () => {
    output = '';
    launcher = await startLauncher();
    expect(await healthy()).toBe(true);
    const list = JSON.parse((await shunt('get', 'promotions', '--project', 'demo', '-o', 'json')).stdout);
    expect(list.items.map((p: { metadata: { name: string }; status: { phase: string } }) => [p.metadata.name, p.status.phase])).toEqual([
      [promotion, 'Succeeded'],
    ]);
    // The database runs in write-ahead-log mode (launcher/embedded-temporal.ts SQLITE_PRAGMAS).
    expect(existsSync(join(work, 'data', 'temporal.db-wal'))).toBe(true);
  });

  it('after the launcher was killed outright, the next launch stops the Temporal server it left', async () => {
    const data = join(work, 'data');
    launcher!.kill('SIGKILL');
    await once(launcher!, 'exit');
    // The worker and the api follow their launcher; the Temporal server cannot, and stays.
    const left = await eventually(async () => {
      const procs = processesUsing(data);
      return procs.length === 1 ? procs : undefined;
    }, () => `only the Temporal server to remain: ${JSON.stringify(processesUsing(data))}`, 30_000);
    expect(left[0]!.command).toContain('start-dev');

    output = '';
    launcher = await startLauncher();
    expect(await healthy()).toBe(true);
    expect(output).toContain(`stopping the Temporal server (pid ${left[0]!.pid}) left running by an earlier launch on this data dir`);
    expect(processesUsing(data).map((p) => p.pid)).not.toContain(left[0]!.pid);
    const list = JSON.parse((await shunt('get', 'promotions', '--project', 'demo', '-o', 'json')).stdout);
    expect(list.items.map((p: { metadata: { name: string } }) => p.metadata.name)).toEqual([promotion]);
    expect(await stopLauncher(launcher!)).toBe(0);
    launcher = undefined;
    expect(processesUsing(data)).toEqual([]);
  });

  it('uses the server named by TEMPORAL_ADDRESS and starts none', async () => {
    if (launcher) await stopLauncher(launcher);
    output = '';
    launcher = await startLauncher({ address: process.env.TEMPORAL_ADDRESS!, namespace: 'spare' });
    expect(await healthy()).toBe(true);
    expect(output).toContain(`using the Temporal server at ${process.env.TEMPORAL_ADDRESS} (namespace spare)`);
    expect(existsSync(join(work, 'external-data', 'temporal.db'))).toBe(false);
    expect(await stopLauncher(launcher!)).toBe(0);
    launcher = undefined;
  });

  it('takes the worker and the api down with it when the launcher is killed outright', async () => {
    launcher = await startLauncher({ address: process.env.TEMPORAL_ADDRESS!, namespace: 'spare' });
    expect(await healthy()).toBe(true);
    launcher.kill('SIGKILL');
    await once(launcher, 'exit');
    launcher = undefined;
    await eventually(
      async () => (processesUsing(join(work, 'external-data')).length === 0 ? true : undefined),
      () => `the worker and the api to go away after their launcher was killed: ${JSON.stringify(processesUsing(join(work, 'external-data')))}`,
      30_000,
    );
  });

  it('takes the worker and the api down with it when the launcher is killed while they are still loading', async () => {
    // The launcher dies before its children listen for its IPC channel to close (they are still
    // loading their modules, as they do for seconds on a loaded machine): they notice anyway.
    const data = join(work, 'external-data');
    launcher = await startLauncher({ address: process.env.TEMPORAL_ADDRESS!, namespace: 'spare' });
    // Polled closely (not with eventually's 200 ms) so the kill lands while they load.
    const deadline = Date.now() + 30_000;
    while (processesUsing(data).filter((p) => /(worker\/main|api\/server)\.js/.test(p.command)).length < 2) {
      if (Date.now() > deadline) throw new Error(`the launcher did not start the worker and the api: ${JSON.stringify(processesUsing(data))}`);
      await new Promise((r) => setTimeout(r, 5));
    }
    launcher.kill('SIGKILL');
    await once(launcher, 'exit');
    launcher = undefined;
    await eventually(
      async () => (processesUsing(data).length === 0 ? true : undefined),
      () => `the worker and the api to go away after their launcher was killed: ${JSON.stringify(processesUsing(data))}`,
      15_000,
    );
  });

  it('stops with a clear message, instead of restarting the api forever, when its port is taken', async () => {
    const squatter = createServer();
    await new Promise<void>((resolve) => squatter.listen(0, '127.0.0.1', resolve));
    const port = (squatter.address() as AddressInfo).port;
    try {
      output = '';
      launcher = await startLauncher({ address: process.env.TEMPORAL_ADDRESS!, namespace: 'spare' }, port);
      const [code] = (await once(launcher, 'exit')) as [number | null];
      launcher = undefined;
      expect(code).toBe(1);
      expect(output).toContain(`port ${port} is in use: stop what uses it, or set SHUNT_PORT`);
      expect(output).toContain('api cannot run as configured (see its message above); stopping');
    } finally {
      squatter.close();
    }
  });
});
