/**
 * Crash tests in the middle of a soak: Shunt started as `npm start` starts it, a stage `up` that
 * takes freight from the warehouse and a stage `down` that auto-promotes freight once it has
 * soaked in `up` for `requiredSoakTime` (Kargo's field). Freight is promoted into `up`; in the
 * middle of the soak the whole process tree is killed with SIGKILL and started again on the same
 * data dir after a pause (or only the worker is killed; the launcher starts it again).
 *
 * The soak ends when it would have ended without the crash: the auto-promotion into `down` is
 * created no earlier than the freight's arrival in `up` plus the soak, and at most a few seconds
 * later; its commit lands on the remote once, and no freight or promotion is lost or duplicated.
 */
import { join } from 'node:path';
import { GitHttpServer } from '../support/git-server.js';
import { Disposer, git, tempDir } from '../support/git-repos.js';
import { deployedTag, freightManifest, gitopsRepo, projectManifests, promotionCommits, promotionSteps, repoPath } from '../support/gitops-fixture.js';
import { aProjectConfig } from '../support/manifests.js';
import { LaunchedShunt } from '../support/launched-shunt.js';
import { eventually } from '../support/poll.js';
import { ShuntApi, type PromotionItem } from '../support/shunt-api.js';

const PROJECT = 'crash-soak';
const SOAK_S = 30;
const SOAK_MS = SOAK_S * 1000;
/** How far into the soak the crash comes, and how long Shunt stays down before it starts again. */
const CRASH_AFTER_MS = 5_000;
const DOWN_FOR_MS = 3_000;
/**
 * How late the soak may end: the project workflow's durable timer fires, its workflow task runs
 * and creates the promotion. A loaded 2-core CI machine keeps this within a few seconds; never early.
 */
const LATE_TOLERANCE_MS = 5_000;

const disposer = new Disposer();
let repos: string;
let shunt: LaunchedShunt;
const api = new ShuntApi(() => shunt.api);

function manifests(repoURL: (name: string) => string): string {
  const autoPromoteDown = aProjectConfig({ promotionPolicies: [{ stage: 'down', autoPromotionEnabled: true }] }, PROJECT);
  return projectManifests(
    PROJECT,
    [
      { name: 'up', steps: promotionSteps(repoURL('soak-up'), 'up') },
      {
        name: 'down',
        steps: promotionSteps(repoURL('soak-down'), 'down'),
        sources: { stages: ['up'], requiredSoakTime: `${SOAK_S}s` },
      },
    ],
    [autoPromoteDown],
  );
}

interface FreightStatus {
  metadata: { name: string };
  images: { tag: string }[];
  status: { currentlyIn: Record<string, { since: string }>; verifiedIn: Record<string, { verifiedAt: string }> };
}

async function freightStatus(): Promise<FreightStatus[]> {
  const res = await api.request<{ items: FreightStatus[] }>('GET', `/api/v1/projects/${PROJECT}/freight`);
  if (res.status !== 200) throw new Error(`GET freight answered ${res.status}`);
  return res.body.items;
}

async function commitsOf(repo: string): Promise<string[]> {
  return (await promotionCommits(repoPath(repos, repo))).map((c) => c.promotion);
}

/** Applies freight `tag`, promotes it into `up`, and returns when its soak there ends. */
async function promoteUp(tag: string): Promise<{ freight: string; soakEnds: number }> {
  await api.apply(`freight-${tag}.yaml`, freightManifest(PROJECT, tag));
  const freight = (await api.freight(PROJECT)).find((f) => f.images[0]?.tag === tag)!.metadata.name;
  const promotion = await api.promote(PROJECT, 'up', freight);
  const done = await api.finished(PROJECT, promotion);
  expect(done.status.phase).toBe('Succeeded');
  const status = (await freightStatus()).find((f) => f.metadata.name === freight)!.status;
  // No verification on `up`: verified the moment it arrived, and the soak counts from then.
  expect(status.verifiedIn.up?.verifiedAt).toBe(status.currentlyIn.up?.since);
  const soakEnds = Date.parse(status.currentlyIn.up!.since) + SOAK_MS;
  // Not available to `down` before the soak ends.
  expect((await api.promotions(PROJECT)).filter((p) => p.spec?.stage === 'down' && p.status.freight?.name === freight)).toEqual([]);
  return { freight, soakEnds };
}

async function sleepUntil(ms: number): Promise<void> {
  const wait = ms - Date.now();
  if (wait > 0) await new Promise((r) => setTimeout(r, wait));
}

/** The auto-promotion of `freight` into `down`, once it has finished. */
async function downPromotionOf(freight: string): Promise<{ promotion: PromotionItem; createdAt: number }> {
  const promotion = await eventually(
    async () => {
      const p = (await api.promotions(PROJECT)).find((x) => x.spec?.stage === 'down' && x.status.freight?.name === freight);
      return p && !['Running', 'Pending'].includes(p.status.phase) ? p : undefined;
    },
    () => `the auto-promotion of ${freight} into "down" to finish (launcher output:\n${shunt.interestingOutput()})`,
    120_000,
  );
  const view = await api.request<{ metadata: { creationTimestamp: string }; status: { autoPromotion?: boolean } }>(
    'GET',
    `/api/v1/projects/${PROJECT}/promotions/${promotion.metadata.name}`,
  );
  expect(view.body.status.autoPromotion).toBe(true);
  return { promotion, createdAt: Date.parse(view.body.metadata.creationTimestamp) };
}

function expectOnTime(createdAt: number, soakEnds: number): void {
  const late = createdAt - soakEnds;
  // Reported so a slow machine's margin shows in the log.
  process.stdout.write(`soak-crash: the auto-promotion came ${late} ms after the soak's end\n`);
  expect(late).toBeGreaterThanOrEqual(0);
  expect(late).toBeLessThanOrEqual(LATE_TOLERANCE_MS);
}

beforeAll(async () => {
  const work = await tempDir(disposer, 'shunt-crash-soak-');
  repos = join(work, 'repos');
  await gitopsRepo(disposer, repos, 'soak-up', ['up']);
  await gitopsRepo(disposer, repos, 'soak-down', ['down']);
  const gitServer = new GitHttpServer({ root: repos });
  await gitServer.start();
  disposer.add(() => gitServer.stop());

  shunt = new LaunchedShunt({ dataDir: join(work, 'data') });
  disposer.add(() => shunt.stop());
  await shunt.start();
  await api.apply('crash-soak.yaml', manifests((name) => gitServer.url(name)));
}, 180_000);

afterAll(async () => {
  await disposer.dispose();
}, 60_000);

describe('a crash in the middle of a required soak', () => {
  it('ends the soak on time after the whole process tree, killed with SIGKILL, starts again', async () => {
    const { freight, soakEnds } = await promoteUp('1.0.0');
    await sleepUntil(soakEnds - SOAK_MS + CRASH_AFTER_MS);
    await shunt.killTree();
    await new Promise((r) => setTimeout(r, DOWN_FOR_MS));
    const restarting = Date.now();
    await shunt.start();
    process.stdout.write(`soak-crash: restarted in ${Date.now() - restarting} ms\n`);
    // Shunt must be back before the soak ends, or this test could not tell late from on time.
    if (Date.now() > soakEnds - 1_000) {
      throw new Error(`Shunt took ${Date.now() - restarting} ms to start again, past the soak's end: too slow a machine for this test`);
    }

    const { promotion, createdAt } = await downPromotionOf(freight);
    expect([promotion.status.phase, promotion.status.message]).toEqual(['Succeeded', undefined]);
    expectOnTime(createdAt, soakEnds);
    expect(await commitsOf('soak-down')).toEqual([promotion.metadata.name]);
    expect(await deployedTag(repoPath(repos, 'soak-down'), 'down')).toBe('1.0.0');
    expect(await api.stageFreight(PROJECT, 'down')).toBe(freight);
    expect((await api.freight(PROJECT)).map((f) => f.metadata.name)).toEqual([freight]);
    const promotions = await api.promotions(PROJECT);
    expect(promotions.map((p) => p.spec?.stage).sort()).toEqual(['down', 'up']);
    expect(await commitsOf('soak-up')).toEqual(promotions.filter((p) => p.spec?.stage === 'up').map((p) => p.metadata.name));
  }, 300_000);

  it('ends the soak on time when only the worker is killed while the api and Temporal stay up', async () => {
    const { freight, soakEnds } = await promoteUp('1.1.0');
    await sleepUntil(soakEnds - SOAK_MS + CRASH_AFTER_MS);
    await shunt.killWorker();

    const { promotion, createdAt } = await downPromotionOf(freight);
    expect([promotion.status.phase, promotion.status.message]).toEqual(['Succeeded', undefined]);
    expectOnTime(createdAt, soakEnds);
    const commits = await commitsOf('soak-down');
    expect(commits).toHaveLength(2);
    expect(commits[1]).toBe(promotion.metadata.name);
    expect(await deployedTag(repoPath(repos, 'soak-down'), 'down')).toBe('1.1.0');
    expect(await api.stageFreight(PROJECT, 'down')).toBe(freight);
    expect((await api.freight(PROJECT)).map((f) => f.images[0]?.tag).sort()).toEqual(['1.0.0', '1.1.0']);
    const promotions = await api.promotions(PROJECT);
    expect(promotions.filter((p) => p.spec?.stage === 'down')).toHaveLength(2);
    expect(promotions.filter((p) => p.spec?.stage === 'up')).toHaveLength(2);
    // Each repository's history is linear: the seed and one commit per promotion.
    for (const repo of ['soak-up', 'soak-down']) {
      expect((await git(repoPath(repos, repo), ['rev-list', '--count', 'main'])).trim()).toBe('3');
    }
  }, 300_000);
});
