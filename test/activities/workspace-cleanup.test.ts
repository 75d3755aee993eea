/**
 * The start-up clean-up of a worker (activities/adapters/workspace.ts, run by createShuntWorkers):
 * it removes the workspaces an earlier run of the same worker left, and never those of another
 * worker id, of a run of the same id that may still be alive (two processes sharing a data dir),
 * or ones that record no owner.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  createWorkspace,
  newWorkerRun,
  registerWorkerRun,
  removeLeftoverWorkspaces,
  removeWorkspace,
  RUN_MARKER_STALE_MS,
  type WorkerRun,
} from '../../activities/adapters/workspace.js';
import { Disposer, tempDir } from '../support/git-repos.js';

const disposer = new Disposer();
afterEach(() => disposer.dispose());

async function aWorkRoot(): Promise<string> {
  return path.join(await tempDir(disposer, 'shunt-ws-cleanup-'), 'work');
}

/** A run marker as another process would have written it, `ageMs` old. */
async function aRunMarker(workRoot: string, run: WorkerRun, ageMs = 0): Promise<void> {
  const file = path.join(workRoot, '.worker-runs', `${run.runId}.json`);
  await fs.promises.mkdir(path.dirname(file), { recursive: true });
  await fs.promises.writeFile(file, JSON.stringify(run));
  const at = new Date(Date.now() - ageMs);
  await fs.promises.utimes(file, at, at);
}

/** The pid of a process that has exited. */
async function aDeadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '0']);
  await once(child, 'exit');
  return child.pid!;
}

const exists = (p: string): boolean => fs.existsSync(p);
const run = (workerId: string, extra: Partial<WorkerRun> = {}): WorkerRun => ({ ...newWorkerRun(workerId), ...extra });

describe('removeLeftoverWorkspaces', () => {
  it('removes the workspaces of an earlier run of this worker whose process is gone, with their owner records and its marker', async () => {
    const workRoot = await aWorkRoot();
    const earlier = run('w1', { pid: await aDeadPid() });
    await aRunMarker(workRoot, earlier); // fresh: it died a moment ago, the process is gone
    const a = await createWorkspace(workRoot, 'promo-a', earlier);
    await fs.promises.writeFile(path.join(a.root, 'file'), 'x');
    await createWorkspace(workRoot, 'promo-b', earlier);
    const released: string[] = [];

    const self = run('w1');
    const done = await removeLeftoverWorkspaces(workRoot, self, { beforeRemove: async (root) => void released.push(path.basename(root)) });

    expect(done).toEqual({ removed: ['promo-a', 'promo-b'], keptAlive: [] });
    expect(released.sort()).toEqual(['promo-a', 'promo-b']);
    expect(exists(path.join(workRoot, 'promo-a'))).toBe(false);
    expect(exists(path.join(workRoot, 'promo-b'))).toBe(false);
    expect(fs.readdirSync(path.join(workRoot, '.workspace-owners'))).toEqual([]);
    expect(exists(path.join(workRoot, '.worker-runs', `${earlier.runId}.json`))).toBe(false);
  });

  it('removes those of an earlier run that ended cleanly (no marker left)', async () => {
    const workRoot = await aWorkRoot();
    const earlier = run('w1');
    const registration = await registerWorkerRun(workRoot, earlier);
    await createWorkspace(workRoot, 'kept-for-retry', earlier);
    await registration.stop();

    expect(await removeLeftoverWorkspaces(workRoot, run('w1'))).toEqual({ removed: ['kept-for-retry'], keptAlive: [] });
    expect(exists(path.join(workRoot, 'kept-for-retry'))).toBe(false);
  });

  it('removes those of an earlier run in a process with its pid (a container started again), or on another host once its marker is stale', async () => {
    const workRoot = await aWorkRoot();
    const sameContainer = run('w1'); // same host and pid as this process, another run
    await aRunMarker(workRoot, sameContainer);
    await createWorkspace(workRoot, 'same-pid', sameContainer);
    const elsewhere = run('w1', { host: 'another-host', pid: 1 });
    await aRunMarker(workRoot, elsewhere, RUN_MARKER_STALE_MS + 1_000);
    await createWorkspace(workRoot, 'moved-pod', elsewhere);

    const done = await removeLeftoverWorkspaces(workRoot, run('w1'));

    expect(done.removed.sort()).toEqual(['moved-pod', 'same-pid']);
    expect(exists(path.join(workRoot, 'same-pid'))).toBe(false);
    expect(exists(path.join(workRoot, 'moved-pod'))).toBe(false);
  });

  it("never touches another worker's workspaces, live or not, nor the current run's", async () => {
    const workRoot = await aWorkRoot();
    const otherDead = run('w2', { pid: await aDeadPid() });
    await createWorkspace(workRoot, 'w2-dead', otherDead);
    const otherLive = run('w2', { pid: process.ppid });
    await aRunMarker(workRoot, otherLive);
    await createWorkspace(workRoot, 'w2-live', otherLive);
    const self = run('w1');
    await createWorkspace(workRoot, 'mine-now', self);

    expect(await removeLeftoverWorkspaces(workRoot, self)).toEqual({ removed: [], keptAlive: [] });
    for (const key of ['w2-dead', 'w2-live', 'mine-now']) expect(exists(path.join(workRoot, key))).toBe(true);
  });

  it('leaves alone the workspaces of a run with the same worker id that may still be alive (two processes sharing a data dir and id)', async () => {
    const workRoot = await aWorkRoot();
    const twinHere = run('w1', { pid: process.ppid }); // a live process on this host
    await aRunMarker(workRoot, twinHere);
    await createWorkspace(workRoot, 'twin-here', twinHere);
    const twinElsewhere = run('w1', { host: 'another-host', pid: 1 });
    await aRunMarker(workRoot, twinElsewhere, 1_000); // refreshed a second ago
    await createWorkspace(workRoot, 'twin-elsewhere', twinElsewhere);

    const done = await removeLeftoverWorkspaces(workRoot, run('w1'));

    expect(done).toEqual({ removed: [], keptAlive: expect.arrayContaining(['twin-here', 'twin-elsewhere']) as unknown as string[] });
    expect(exists(path.join(workRoot, 'twin-here'))).toBe(true);
    expect(exists(path.join(workRoot, 'twin-elsewhere'))).toBe(true);
    expect(exists(path.join(workRoot, '.worker-runs', `${twinHere.runId}.json`))).toBe(true);
  });

  it('leaves alone a workspace that records no owner (made before workspaces recorded theirs)', async () => {
    const workRoot = await aWorkRoot();
    await createWorkspace(workRoot, 'legacy');

    expect(await removeLeftoverWorkspaces(workRoot, run('w1'))).toEqual({ removed: [], keptAlive: [] });
    expect(exists(path.join(workRoot, 'legacy'))).toBe(true);
  });

  it('answers nothing to do on a data dir with no workspaces yet', async () => {
    expect(await removeLeftoverWorkspaces(await aWorkRoot(), run('w1'))).toEqual({ removed: [], keptAlive: [] });
  });
});

describe('registerWorkerRun', () => {
  it('keeps the marker fresh while the run lives and removes it when it stops', async () => {
    const workRoot = await aWorkRoot();
    const self = run('w1');
    const registration = await registerWorkerRun(workRoot, self, 50);
    const file = path.join(workRoot, '.worker-runs', `${self.runId}.json`);
    expect(JSON.parse(fs.readFileSync(file, 'utf8'))).toEqual(self);
    const old = new Date(Date.now() - 60_000);
    fs.utimesSync(file, old, old);
    await new Promise((r) => setTimeout(r, 300));
    expect(Date.now() - fs.statSync(file).mtimeMs).toBeLessThan(30_000);
    await registration.stop();
    expect(exists(file)).toBe(false);
  });
});

describe('removeWorkspace', () => {
  it("removes the workspace's owner record with it", async () => {
    const workRoot = await aWorkRoot();
    await createWorkspace(workRoot, 'p', run('w1'));
    expect(exists(path.join(workRoot, '.workspace-owners', 'p.json'))).toBe(true);
    await removeWorkspace(workRoot, 'p');
    expect(exists(path.join(workRoot, 'p'))).toBe(false);
    expect(exists(path.join(workRoot, '.workspace-owners', 'p.json'))).toBe(false);
  });
});
