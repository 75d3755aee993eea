/**
 * Failover of a promotion whose worker dies mid-step: Shunt started as `npm start` starts it
 * (launcher, embedded Temporal, worker A, api) plus a second worker B on a data dir of its own,
 * both with SHUNT_STEP_HEARTBEAT_TIMEOUT=5s. The promotion's git-clone is held by the git server's
 * proxy while worker A runs it; A is killed with SIGKILL (the launcher starts it again). The step
 * stops heartbeating, and the promotion starts its steps again on a worker that is not the killed
 * process, in a new workspace, long before the default 1m bound; meanwhile the api shows the step
 * Running with the worker loss. Worker A, started again, removes the workspace its earlier run
 * left. The promotion ends with one commit.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { workspaceKeyFor } from '../../activities/index.js';
import { projectRoot } from '../../launcher/temporal-binary.js';
import { GatedProxy } from '../support/gated-proxy.js';
import { GitHttpServer } from '../support/git-server.js';
import { saveHistoryAt } from '../support/histories.js';
import { Disposer } from '../support/git-repos.js';
import { deployedTag, freightManifest, gitopsRepo, projectManifests, promotionCommits, promotionSteps, repoPath } from '../support/gitops-fixture.js';
import { LaunchedShunt, processTree } from '../support/launched-shunt.js';
import { eventually } from '../support/poll.js';
import { ShuntApi } from '../support/shunt-api.js';

const PROJECT = 'failover';
const STAGE = 'dev';
const HEARTBEAT_TIMEOUT = '5s';

const disposer = new Disposer();
let work: string;
let repos: string;
let gitServer: GitHttpServer;
let proxy: GatedProxy;
let shunt: LaunchedShunt;
let workerB: ChildProcess | undefined;
let workerBOutput = '';
const api = new ShuntApi(() => shunt.api);

/** Worker B: `node dist/worker/main.js` on its own data dir, against the launched Temporal server. */
async function startWorkerB(): Promise<void> {
  const child = spawn(process.execPath, [join(projectRoot, 'dist', 'worker', 'main.js')], {
    env: {
      ...process.env,
      TEMPORAL_ADDRESS: `127.0.0.1:${shunt.temporalPort}`,
      TEMPORAL_NAMESPACE: 'default',
      SHUNT_DATA_DIR: join(work, 'data-b'),
      SHUNT_WORKER_ID: 'worker-b',
      SHUNT_STEP_HEARTBEAT_TIMEOUT: HEARTBEAT_TIMEOUT,
      SHUNT_KUBERNETES: 'off',
      SHUNT_LOG_LEVEL: 'info',
      SHUNT_EGRESS_ALLOW: '127.0.0.0/8,::1',
      GIT_ALLOW_PROTOCOL: 'http:https:file',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (d: Buffer) => (workerBOutput += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (workerBOutput += d.toString()));
  workerB = child;
  await eventually(
    async () => {
      if (child.exitCode !== null) throw new Error(`worker B exited (${child.exitCode})`);
      return workerBOutput.includes('worker started') ? true : undefined;
    },
    () => `worker B to start (output:\n${workerBOutput})`,
    120_000,
  );
}

function stopWorkerB(): void {
  const pid = workerB?.pid;
  if (!pid || workerB?.exitCode !== null) return;
  for (const p of processTree(pid)) {
    try {
      process.kill(p, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'shunt-failover-'));
  disposer.add(() => rm(work, { recursive: true, force: true }));
  repos = join(work, 'repos');
  await gitopsRepo(disposer, repos, 'failover-dev', [STAGE]);
  gitServer = new GitHttpServer({ root: repos });
  await gitServer.start();
  proxy = new GatedProxy(gitServer.baseURL);
  await proxy.start();
  disposer.add(() => gitServer.stop());
  disposer.add(() => proxy.stop());

  shunt = new LaunchedShunt({
    dataDir: join(work, 'data'),
    env: { SHUNT_WORKER_ID: 'worker-a', SHUNT_STEP_HEARTBEAT_TIMEOUT: HEARTBEAT_TIMEOUT },
  });
  disposer.add(() => shunt.stop());
  disposer.add(async () => stopWorkerB());
  await shunt.start();
  await api.apply('failover.yaml', projectManifests(PROJECT, [{ name: STAGE, steps: promotionSteps(`${proxy.baseURL}/failover-dev.git`, STAGE) }]));
}, 180_000);

afterAll(async () => {
  await disposer.dispose();
}, 60_000);

describe('a worker killed while it runs a step', () => {
  it('has the promotion start its steps again on another worker after the heartbeat timeout, the api showing the loss meanwhile', async () => {
    const cloneRequest = (m: string, url: string): boolean => m === 'GET' && url.startsWith('/failover-dev.git/info/refs');
    const firstClone = proxy.hold(cloneRequest, 'request');
    await api.apply('freight.yaml', freightManifest(PROJECT, '2.0.0'));
    const freight = (await api.freight(PROJECT)).find((f) => f.images[0]?.tag === '2.0.0')!.metadata.name;
    const promotion = await api.promote(PROJECT, STAGE, freight);
    await firstClone.arrived;
    // Only worker A ran when the step started: its workspace is in A's data dir.
    const firstWorkspace = join(work, 'data', 'work', workspaceKeyFor(promotion));
    expect(existsSync(firstWorkspace)).toBe(true);
    await startWorkerB();

    const secondClone = proxy.hold(cloneRequest, 'request');
    const killed = await shunt.killWorker();
    firstClone.release(); // its client is gone: nothing is forwarded

    // The step runs again (its clone arrives at the proxy) well within the default 1m bound.
    let waited: NodeJS.Timeout | undefined;
    await Promise.race([
      secondClone.arrived,
      new Promise((_, reject) => {
        waited = setTimeout(
          () => reject(new Error(`the step did not start again within 45s (launcher output:\n${shunt.interestingOutput()}\nworker B:\n${workerBOutput.slice(-3000)})`)),
          45_000,
        );
      }),
    ]).finally(() => clearTimeout(waited));
    const restarted = join('work', `${workspaceKeyFor(`${promotion}-r1`)}`);
    const restartedOn = [join(work, 'data'), join(work, 'data-b')].filter((d) => existsSync(join(d, restarted)));
    expect(restartedOn).toHaveLength(1);
    expect(shunt.workerPid()).not.toBe(killed);

    // While the step runs again, the api shows it Running with the worker loss.
    const shown = await eventually(
      async () => {
        const steps = (await api.promotion(PROJECT, promotion)).status.stepExecutionMetadata ?? [];
        return steps[0]?.message?.startsWith('worker lost') ? steps : undefined;
      },
      'the api to show the worker loss',
      30_000,
    );
    expect(shown[0]).toMatchObject({
      uses: 'git-clone',
      status: 'Running',
      message: `worker lost (no heartbeat for ${HEARTBEAT_TIMEOUT}); restarting the steps on another worker (attempt 2)`,
    });
    expect((await api.promotion(PROJECT, promotion)).status.phase).toBe('Running');

    // Worker A, started again, removed the workspace its killed run left.
    await eventually(async () => (existsSync(firstWorkspace) ? undefined : true), `worker A to remove ${firstWorkspace}`, 60_000);

    secondClone.release();
    const finished = await api.finished(PROJECT, promotion, 180_000);
    expect([finished.status.phase, finished.status.message]).toEqual(['Succeeded', undefined]);
    expect((finished.status.stepExecutionMetadata ?? []).map((s) => [s.uses, s.status, s.message])).toEqual([
      ['git-clone', 'Succeeded', undefined],
      ['kustomize-set-image', 'Succeeded', undefined],
      ['git-commit', 'Succeeded', undefined],
      ['git-push', 'Succeeded', undefined],
    ]);
    expect((await promotionCommits(repoPath(repos, 'failover-dev'))).map((c) => c.promotion)).toEqual([promotion]);
    expect(await deployedTag(repoPath(repos, 'failover-dev'), STAGE)).toBe('2.0.0');
    // The restarted workspace was released when the promotion ended.
    await eventually(async () => (existsSync(join(restartedOn[0]!, restarted)) ? undefined : true), 'the restarted workspace to be released', 30_000);
    // npm run histories:capture keeps this run for the replay suite.
    await saveHistoryAt(`127.0.0.1:${shunt.temporalPort}`, 'default', finished.status.workflowId!, 'promotion', 'worker-killed-heartbeat-failover');
  }, 400_000);
});
