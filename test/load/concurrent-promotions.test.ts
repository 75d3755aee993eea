/**
 * Load: 200 promotions across 50 stages and 10 projects in flight at once, on Shunt started as
 * `npm start` starts it (embedded Temporal on SQLite, one worker, the api). Every promotion
 * completes with exactly one commit of its own on its project's GitOps repository (five stages
 * push to each repository at once, so pushes are rejected and rebased), every stage ends on
 * the last freight, and the api answers every read made while it runs.
 *
 * No timing is asserted; `npm run bench` measures the same scenario (bench/concurrent.bench.ts).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Disposer } from '../support/git-repos.js';
import { deployedTag, promotionCommits } from '../support/gitops-fixture.js';
import { LaunchedShunt } from '../support/launched-shunt.js';
import { FULL_LOAD, prepareLoad, runLoad, type LoadPipeline, type LoadRun } from '../support/load-scenario.js';
import { ShuntApi } from '../support/shunt-api.js';

const disposer = new Disposer();
let shunt: LaunchedShunt;
let pipeline: LoadPipeline;
let run: LoadRun;
const api = new ShuntApi(() => shunt.api);

beforeAll(async () => {
  const work = await mkdtemp(join(tmpdir(), 'shunt-load-'));
  disposer.add(() => rm(work, { recursive: true, force: true }));
  shunt = new LaunchedShunt({ dataDir: join(work, 'data') });
  disposer.add(() => shunt.stop());
  await shunt.start();
  pipeline = await prepareLoad(api, disposer, work, FULL_LOAD);
  try {
    run = await runLoad(api, pipeline, 900_000);
  } catch (err) {
    // What Shunt said is the clue when a request fails under load.
    throw new Error(`${String(err)} (cause: ${String((err as Error).cause)}); launcher output:\n${shunt.interestingOutput()}`);
  }
}, 1_200_000);

afterAll(async () => {
  await disposer.dispose();
}, 60_000);

describe('200 promotions across 50 stages and 10 projects at once', () => {
  it('completes every promotion', () => {
    expect(run.promotions).toHaveLength(200);
    expect(run.promotions.filter((p) => p.item.status.phase !== 'Succeeded').map((p) => [p.item.metadata.name, p.item.status])).toEqual([]);
  });

  it('makes exactly one commit per promotion', async () => {
    for (const [project, repo] of Object.entries(pipeline.repos)) {
      const commits = (await promotionCommits(repo)).map((c) => c.promotion);
      const promotions = run.promotions.filter((p) => p.project === project).map((p) => p.item.metadata.name);
      expect(commits).toHaveLength(promotions.length);
      expect([...commits].sort()).toEqual([...promotions].sort());
    }
  });

  it('leaves every stage on the last freight', async () => {
    const last = pipeline.tags.at(-1)!;
    for (const [project, repo] of Object.entries(pipeline.repos)) {
      for (const stage of pipeline.stages[project]!) {
        expect(await deployedTag(repo, stage)).toBe(last);
        expect(await api.stageFreight(project, stage)).toBe(pipeline.freight[project]!.at(-1));
      }
    }
  });

  it('answers every read while the promotions run', () => {
    expect(run.reads.failed).toEqual([]);
    expect(run.reads.ok).toBeGreaterThan(0);
  });
});
