/**
 * 200 promotions at once across 50 stages and 10 projects (the load test's scenario, see
 * test/support/load-scenario.ts) on Shunt started as `npm start` starts it: promotions per
 * minute from the first request until the last promotion finished, how many completed, and the
 * worker process's peak resident memory (VmHWM) over its whole life, which includes this load.
 */
import { Disposer } from '../test/support/git-repos.js';
import { FULL_LOAD, prepareLoad, runLoad, type LoadShape } from '../test/support/load-scenario.js';
import { peakRssMB, rssMB, sampleRss } from './support/process-memory.js';
import { median, percentile } from './stats.js';
import { launchShunt, temporalClientOf } from './support/launch.js';
import { describeTimelines, promotionTimeline } from './support/promotion-timeline.js';
import type { BenchModule } from './types.js';
import { oneCommitEach, stagesAt } from './support/branch-commits.js';

const QUICK_LOAD: LoadShape = { projects: 2, stages: 5, rounds: 2 };

const bench: BenchModule = async ({ workDir, quick, log }) => {
  const shape = quick ? QUICK_LOAD : FULL_LOAD;
  const total = shape.projects * shape.stages * shape.rounds;
  const disposer = new Disposer();
  try {
    const { shunt, api } = await launchShunt(disposer, workDir);
    const worker = shunt.workerPid();
    const idle = rssMB(worker);
    log(`worker ${worker} resident at idle: ${Math.round(idle)} MB`);
    const pipeline = await prepareLoad(api, disposer, workDir, shape);
    const sampler = sampleRss(worker);
    const run = await runLoad(api, pipeline, 900_000);
    const rss = sampler.stop();
    if (shunt.workerPid() !== worker) throw new Error('the worker restarted during the load: its peak memory is not known');
    const peak = peakRssMB(worker);
    const succeeded = run.promotions.filter((p) => p.item.status.phase === 'Succeeded').length;
    const perMin = (run.promotions.length / run.elapsedMs) * 60_000;
    const durations = run.promotions
      .filter((p) => p.item.status.startedAt && p.item.status.finishedAt)
      .map((p) => Date.parse(p.item.status.finishedAt!) - Date.parse(p.item.status.startedAt!));
    log(`${succeeded}/${total} succeeded in ${Math.round(run.elapsedMs / 1000)} s; worker peak ${Math.round(peak)} MB; ${run.reads.ok} reads answered, ${run.reads.failed.length} not`);
    const client = await temporalClientOf(disposer, shunt);
    const timelines = await Promise.all(run.promotions.filter((p) => p.item.status.workflowId).map((p) => promotionTimeline(client, p.item.status.workflowId!)));
    log(`where the time goes (each promotion from its own start; its wait in its stage's queue is not in it):\n${describeTimelines(timelines)}`);
    const load = `${shape.projects} projects × ${shape.stages} stages × ${shape.rounds} freight`;
    // Each promotion's own commit on its project's branch, once, and every stage at the last tag.
    const commits = await oneCommitEach(pipeline.repos, run.promotions.map((p) => ({ project: p.project, name: p.item.metadata.name })));
    const lastTag = pipeline.tags[pipeline.tags.length - 1]!;
    const atLast = await stagesAt(pipeline.repos, pipeline.stages, lastTag);
    const stageCount = shape.projects * shape.stages;
    log(`on the branches: ${commits.once} of ${total} promotions with exactly one commit, ${commits.others} other commits; ${atLast} of ${stageCount} stages at ${lastTag}`);
    return [
      {
        name: 'concurrent.promotions-per-minute',
        title: `Promotions per minute, ${total} at once (${load})`,
        unit: 'per-min',
        median: perMin,
        samples: [perMin],
        target: { op: '>=', value: 300 },
      },
      {
        name: 'concurrent.completed',
        title: `Promotions completed of ${total} requested at once`,
        unit: 'count',
        median: succeeded,
        samples: [succeeded],
        target: { op: '>=', value: total },
      },
      {
        name: 'concurrent.one-commit-each',
        title: `Promotions with exactly one commit of their own on their branch, less any other commit there (of ${total}; ${commits.others} other)`,
        unit: 'count',
        median: commits.once - commits.others,
        samples: [commits.once],
        target: { op: '>=', value: total },
      },
      {
        name: 'concurrent.stages-at-last-tag',
        title: `Stages whose folder on their branch holds the tag of their last promotion (of ${stageCount})`,
        unit: 'count',
        median: atLast,
        samples: [atLast],
        target: { op: '>=', value: stageCount },
      },
      {
        name: 'concurrent.promotion-duration',
        title: `One promotion's run time under that load (queued behind its stage's earlier ones)`,
        unit: 's',
        median: median(durations) / 1000,
        p95: percentile(durations, 95) / 1000,
        samples: durations.map((d) => d / 1000),
      },
      {
        name: 'worker.peak-rss',
        title: `Worker peak resident memory at that load`,
        unit: 'MB',
        median: peak,
        samples: [peak],
        target: { op: '<=', value: 200 },
        note: `idle ${Math.round(idle)} MB, median while loaded ${Math.round(median(rss))} MB`,
      },
    ];
  } finally {
    await disposer.dispose();
  }
};
export default bench;
