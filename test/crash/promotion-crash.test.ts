/**
 * Crash tests: Shunt started as `npm start` starts it (launcher, embedded Temporal on SQLite in
 * the data dir, worker, api), with three promotions each stopped at a different step boundary by
 * the git server in front of its GitOps repository:
 *
 * - stage `a`, after the image was set and before the commit (its promotion clones a second
 *   repository between the two, and that clone's first request is held);
 * - stage `b`, after the commit and before the push (the push's first request is held);
 * - stage `c`, after the push landed on the remote and before the worker learned so (the
 *   receive-pack answer is held).
 *
 * Then the whole process tree is killed with SIGKILL and started again on the same data dir, or
 * only the worker is killed (the launcher starts it again). Each promotion completes, each
 * repository gains exactly one commit per promotion, and no freight is lost or duplicated.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GatedProxy, type Hold } from '../support/gated-proxy.js';
import { GitHttpServer } from '../support/git-server.js';
import { saveHistoryAt } from '../support/histories.js';
import { Disposer, git } from '../support/git-repos.js';
import {
  deployedTag,
  freightManifest,
  gitopsRepo,
  projectManifests,
  promotionCommits,
  promotionSteps,
  repoPath,
} from '../support/gitops-fixture.js';
import type { PromotionStepSpec } from '../../core/model.js';
import { LaunchedShunt } from '../support/launched-shunt.js';
import { eventually } from '../support/poll.js';
import { ShuntApi, type PromotionItem } from '../support/shunt-api.js';

// Each crash waits out the step's heartbeat timeout (1m) before the step runs again.
const CRASH_TEST_TIMEOUT = 600_000;

const PROJECT = 'crash';
const STAGES = ['a', 'b', 'c'] as const;

const disposer = new Disposer();
let work: string;
let repos: string;
let gitServer: GitHttpServer;
let proxy: GatedProxy;
let shunt: LaunchedShunt;
const api = new ShuntApi(() => shunt.api);

/** Holds each stage's promotion at its boundary (see the file comment). */
function holdAtBoundaries(): Record<(typeof STAGES)[number], Hold> {
  return {
    a: proxy.hold((m, url) => m === 'GET' && url.startsWith('/crash-a-extra.git/info/refs'), 'request'),
    b: proxy.hold((m, url) => m === 'GET' && url === '/crash-b.git/info/refs?service=git-receive-pack', 'request'),
    c: proxy.hold((m, url) => m === 'POST' && url === '/crash-c.git/git-receive-pack', 'response'),
  };
}

/** Applies freight `tag`, promotes it to every stage and waits until each is held at its boundary. */
async function promoteAndHold(tag: string): Promise<{ freight: string; promotions: Record<string, string> }> {
  await api.apply(`freight-${tag}.yaml`, freightManifest(PROJECT, tag));
  const freight = (await api.freight(PROJECT)).find((f) => f.images[0]?.tag === tag)!.metadata.name;
  const holds = holdAtBoundaries();
  const promotions: Record<string, string> = {};
  for (const stage of STAGES) promotions[stage] = await api.promote(PROJECT, stage, freight);
  const held = new Set<string>();
  for (const s of STAGES) void holds[s].arrived.then(() => held.add(s));
  const outcome = await eventually(
    async () => {
      if (held.size === STAGES.length) return 'held';
      const ended = (await api.promotions(PROJECT)).find(
        (p) => Object.values(promotions).includes(p.metadata.name) && !['Running', 'Pending'].includes(p.status.phase),
      );
      return ended ? `promotion ${ended.metadata.name} ended before reaching its boundary: ${JSON.stringify(ended.status)}` : undefined;
    },
    () => `every promotion to stop at its boundary (held: ${[...held].join(', ') || 'none'})`,
    120_000,
  );
  if (outcome !== 'held') throw new Error(outcome);
  return { freight, promotions };
}

async function commitsOf(stage: string): Promise<string[]> {
  return (await promotionCommits(repoPath(repos, `crash-${stage}`))).map((c) => c.promotion);
}

async function allFinished(names: string[]): Promise<PromotionItem[]> {
  let seen: unknown = [];
  return eventually(
    async () => {
      const list = (await api.promotions(PROJECT)).filter((p) => names.includes(p.metadata.name));
      seen = list.map((p) => ({ name: p.metadata.name, status: p.status }));
      return list.length === names.length && list.every((p) => p.status.phase !== 'Running' && p.status.phase !== 'Pending') ? list : undefined;
    },
    () => `promotions to finish: ${JSON.stringify(seen, null, 1)}\n(launcher output:\n${shunt.interestingOutput()})`,
    300_000,
  );
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'shunt-crash-'));
  disposer.add(() => rm(work, { recursive: true, force: true }));
  repos = join(work, 'repos');
  for (const s of STAGES) await gitopsRepo(disposer, repos, `crash-${s}`, [s]);
  await gitopsRepo(disposer, repos, 'crash-a-extra', ['unused']);
  gitServer = new GitHttpServer({ root: repos });
  await gitServer.start();
  proxy = new GatedProxy(gitServer.baseURL);
  await proxy.start();
  disposer.add(() => gitServer.stop());
  disposer.add(() => proxy.stop());

  shunt = new LaunchedShunt({ dataDir: join(work, 'data') });
  disposer.add(() => shunt.stop());
  await shunt.start();
  const url = (name: string): string => `${proxy.baseURL}/${name}.git`;
  const extraClone: PromotionStepSpec[] = [{ uses: 'git-clone', config: { repoURL: url('crash-a-extra'), checkout: [{ branch: 'main', path: './extra' }] } }];
  await api.apply(
    'crash.yaml',
    projectManifests(PROJECT, [
      { name: 'a', steps: promotionSteps(url('crash-a'), 'a', { beforeCommit: extraClone }) },
      { name: 'b', steps: promotionSteps(url('crash-b'), 'b') },
      { name: 'c', steps: promotionSteps(url('crash-c'), 'c') },
    ]),
  );
}, 180_000);

afterAll(async () => {
  await disposer.dispose();
}, 60_000);

describe('a promotion killed at each step boundary', () => {
  it('completes once the whole process tree, killed with SIGKILL, starts again on the same data dir', async () => {
    const { freight, promotions } = await promoteAndHold('1.0.0');
    // At the kill: a and b have not reached the remote; c's push has landed there.
    expect(await commitsOf('a')).toEqual([]);
    expect(await commitsOf('b')).toEqual([]);
    expect(await commitsOf('c')).toEqual([promotions.c]);

    await shunt.killTree();
    proxy.releaseAll();
    await shunt.start();

    const finished = await allFinished(Object.values(promotions));
    expect(finished.map((p) => [p.metadata.name, p.status.phase, p.status.message])).toEqual(
      STAGES.map((s) => [promotions[s], 'Succeeded', undefined]),
    );
    for (const s of STAGES) {
      expect(await commitsOf(s)).toEqual([promotions[s]]);
      expect(await deployedTag(repoPath(repos, `crash-${s}`), s)).toBe('1.0.0');
      expect(await api.stageFreight(PROJECT, s)).toBe(freight);
    }
    expect((await api.freight(PROJECT)).map((f) => f.metadata.name)).toEqual([freight]);
    expect((await api.promotions(PROJECT)).map((p) => p.metadata.name).sort()).toEqual(Object.values(promotions).sort());
    // npm run histories:capture keeps this run for the replay suite.
    await saveHistoryAt(`127.0.0.1:${shunt.temporalPort}`, 'default', finished[2]!.status.workflowId!, 'promotion', 'process-tree-killed');
  }, CRASH_TEST_TIMEOUT);

  it('completes when only the worker is killed while the api and Temporal stay up', async () => {
    const before = await api.freight(PROJECT);
    const earlier = (await api.promotions(PROJECT)).map((p) => p.metadata.name);
    const { freight, promotions } = await promoteAndHold('1.1.0');
    expect((await commitsOf('c')).at(-1)).toBe(promotions.c);

    await shunt.killWorker();
    proxy.releaseAll();
    // The api answers reads while the worker is away.
    expect((await api.request('GET', `/api/v1/projects/${PROJECT}/stages`)).status).toBe(200);

    const finished = await allFinished(Object.values(promotions));
    expect(finished.map((p) => [p.metadata.name, p.status.phase, p.status.message])).toEqual(
      STAGES.map((s) => [promotions[s], 'Succeeded', undefined]),
    );
    for (const s of STAGES) {
      const commits = await commitsOf(s);
      expect(commits).toHaveLength(2);
      expect(commits[1]).toBe(promotions[s]);
      expect(await deployedTag(repoPath(repos, `crash-${s}`), s)).toBe('1.1.0');
      expect(await api.stageFreight(PROJECT, s)).toBe(freight);
    }
    expect((await api.freight(PROJECT)).map((f) => f.metadata.name).sort()).toEqual([...before.map((f) => f.metadata.name), freight].sort());
    expect((await api.promotions(PROJECT)).map((p) => p.metadata.name).sort()).toEqual([...earlier, ...Object.values(promotions)].sort());
    // Nothing was pushed twice: each repository's history is linear, one commit per promotion.
    for (const s of STAGES) {
      expect((await git(repoPath(repos, `crash-${s}`), ['rev-list', '--count', 'main'])).trim()).toBe('3');
    }
  }, CRASH_TEST_TIMEOUT);
});
