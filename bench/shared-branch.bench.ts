/**
 * 20 stages promoting into one branch of one repository (one folder per stage, the monorepo
 * layout) on Shunt started as `npm start` starts it: the same 20 promotions run one after
 * another, then all at once. Target: all succeed, and at once takes at most half the time of one
 * after another (pushes to a branch are queued per mirror and branch, not raced). Both runs
 * wait for promotions the same way (a read of each that waits for its end, as `shunt promote
 * --wait` makes).
 */
import { cpus } from 'node:os';
import { Disposer } from '../test/support/git-repos.js';
import { prepareLoad, type LoadShape } from '../test/support/load-scenario.js';
import { launchShunt, temporalClientOf } from './support/launch.js';
import { describeTimelines, promotionTimeline } from './support/promotion-timeline.js';
import { describeProjectTasks, projectTasks } from './support/project-timeline.js';
import { projectWorkflowId } from '../workflows/definitions.js';
import { median } from './stats.js';
import { oneCommitEach, stagesAt } from './support/branch-commits.js';
import { cpuBetween, cpuSecondsByRole, type CpuByRole } from './support/process-cpu.js';
import type { BenchModule } from './types.js';

const FULL: LoadShape = { projects: 1, stages: 20, rounds: 2 };
const QUICK: LoadShape = { projects: 1, stages: 10, rounds: 2 };

const bench: BenchModule = async ({ workDir, quick, log }) => {
  const shape = quick ? QUICK : FULL;
  const disposer = new Disposer();
  try {
    const { shunt, api } = await launchShunt(disposer, workDir);
    const client = await temporalClientOf(disposer, shunt);
    const timelines = (promotions: { status: { workflowId?: string } }[]) => Promise.all(promotions.map((p) => promotionTimeline(client, p.status.workflowId!)));
    const pipeline = await prepareLoad(api, disposer, workDir, shape);
    const [project] = Object.keys(pipeline.repos) as [string];
    const stages = pipeline.stages[project]!;
    const [first, second] = pipeline.freight[project] as [string, string];

    const dataDir = shunt.dataDir;
    const cpuBefore = cpuSecondsByRole(dataDir);
    const sequentialStart = Date.now();
    const sequential = [];
    for (const stage of stages) {
      sequential.push(await api.finished(project, await api.promote(project, stage, first), 300_000));
    }
    const sequentialMs = Date.now() - sequentialStart;
    const cpuBetweenPhases = cpuSecondsByRole(dataDir);

    const concurrentStart = Date.now();
    const names = await Promise.all(stages.map((stage) => api.promote(project, stage, second)));
    const requestsMs = Date.now() - concurrentStart;
    /** When the api first said each had ended (epoch ms). */
    const saidEnded = new Map<string, number>();
    const concurrent = await Promise.all(
      names.map(async (name) => {
        const p = await api.finished(project, name, 600_000);
        saidEnded.set(name, Date.now());
        return p;
      }),
    );
    const concurrentMs = Date.now() - concurrentStart;
    const cpuAfter = cpuSecondsByRole(dataDir);
    const cpuSequential = cpuPerPromotion(cpuBetween(cpuBefore, cpuBetweenPhases), stages.length, sequentialMs);
    const cpuConcurrent = cpuPerPromotion(cpuBetween(cpuBetweenPhases, cpuAfter), stages.length, concurrentMs);

    const succeeded = (items: typeof concurrent): number => items.filter((p) => p.status.phase === 'Succeeded').length;
    const failures = concurrent.filter((p) => p.status.phase !== 'Succeeded').map((p) => `${p.metadata.name}: ${p.status.message ?? p.status.phase}`);
    log(`${stages.length} stages, one branch: one after another ${Math.round(sequentialMs)} ms (${succeeded(sequential)} succeeded), at once ${Math.round(concurrentMs)} ms (${succeeded(concurrent)} succeeded)`);
    for (const f of failures) log(`failed: ${f}`);
    log(`CPU a promotion, one after another: ${cpuSequential.text}; at once: ${cpuConcurrent.text}`);
    log(`where the time goes, one after another:\n${describeTimelines(await timelines(sequential))}`);
    const atOnce = await timelines(concurrent);
    log(`where the time goes, at once:\n${describeTimelines(atOnce)}`);
    const lastStart = Math.max(...atOnce.map((t) => t.started));
    log(describeProjectTasks(await projectTasks(client, projectWorkflowId(project), concurrentStart, lastStart + 1), concurrentStart));
    const lags = concurrent.map((p, i) => saidEnded.get(p.metadata.name)! - atOnce[i]!.closed);
    log(`  the api said each had ended ${Math.round(median(lags))} ms after its workflow closed (median; at most ${Math.round(Math.max(...lags))} ms)`);
    log(`  the ${stages.length} promote requests answered within ${requestsMs} ms; the first promotion started ${Math.round(Math.min(...atOnce.map((t) => t.started)) - concurrentStart)} ms and the last closed ${Math.round(Math.max(...atOnce.map((t) => t.closed)) - concurrentStart)} ms after they were sent`);
    const ratio = concurrentMs / sequentialMs;
    // Each promotion's own commit on the branch, once, and every stage at the second freight's tag.
    const commits = await oneCommitEach(pipeline.repos, [...sequential, ...concurrent].map((p) => ({ project, name: p.metadata.name })));
    const atSecond = await stagesAt(pipeline.repos, pipeline.stages, pipeline.tags[1]!);
    log(`  on the branch: ${commits.once} of ${stages.length * 2} promotions with exactly one commit, ${commits.others} other commits; ${atSecond} of ${stages.length} stages at ${pipeline.tags[1]}`);
    return [
      {
        name: 'shared-branch.one-commit-each',
        title: `Promotions with exactly one commit of their own on the branch, less any other commit there (of ${stages.length * 2}; ${commits.others} other)`,
        unit: 'count',
        median: commits.once - commits.others,
        samples: [commits.once],
        target: { op: '>=', value: stages.length * 2 },
      },
      {
        name: 'shared-branch.stages-at-last-tag',
        title: `Stages whose folder on the branch holds the tag of their last promotion (of ${stages.length})`,
        unit: 'count',
        median: atSecond,
        samples: [atSecond],
        target: { op: '>=', value: stages.length },
      },
      {
        name: 'shared-branch.completed',
        title: `Promotions succeeded of ${stages.length} into one branch at once`,
        unit: 'count',
        median: succeeded(concurrent),
        samples: [succeeded(concurrent)],
        target: { op: '>=', value: stages.length },
      },
      {
        name: 'shared-branch.cpu-one-by-one',
        title: `CPU of Shunt's processes a promotion, ${stages.length} into one branch one after another (${cpuSequential.text})`,
        unit: 'ms',
        median: cpuSequential.totalMs,
        samples: [cpuSequential.totalMs],
      },
      {
        name: 'shared-branch.cpu-at-once',
        title: `CPU of Shunt's processes a promotion, ${stages.length} into one branch at once (${cpuConcurrent.text})`,
        unit: 'ms',
        median: cpuConcurrent.totalMs,
        samples: [cpuConcurrent.totalMs],
      },
      {
        name: 'shared-branch.at-once-vs-one-by-one',
        title: `${stages.length} promotions into one branch: at once ÷ one after another`,
        unit: 'ratio',
        median: ratio,
        samples: [ratio],
        target: { op: '<=', value: 0.5 },
        note: `at once ${(concurrentMs / 1000).toFixed(1)} s, one after another ${(sequentialMs / 1000).toFixed(1)} s`,
      },
    ];
  } finally {
    await disposer.dispose();
  }
};

/**
 * A phase's CPU per promotion (ms), in all and by process, and how busy it kept the cores: at
 * once is bound by the cores, one after another by its latency (bench/README.md, stop 31).
 */
function cpuPerPromotion(cpu: CpuByRole, promotions: number, wallMs: number): { totalMs: number; text: string } {
  const ms = (s: number): number => Math.round((s * 1000) / promotions);
  const total = Object.values(cpu).reduce((a, b) => a + b, 0);
  const busy = Math.round(((total * 1000) / (wallMs * cpus().length)) * 100);
  const text = `${ms(total)} ms: Temporal ${ms(cpu.temporal)}, worker ${ms(cpu.worker)}, git and its spawn helper ${ms(cpu['spawn helper and git'])}, api ${ms(cpu.api)}; ${busy} % of ${cpus().length} cores busy`;
  return { totalMs: ms(total), text };
}

export default bench;
