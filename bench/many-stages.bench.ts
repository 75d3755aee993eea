/**
 * A project with many stages and a long promotion history keeps answering (issue 15): 200 stages
 * straight from one warehouse, each promoted to again and again (one cheap `compose-output` step,
 * real promotion workflows on Shunt as `npm start` runs it), in rounds of one promotion per stage
 * until each stage has 50 done (3 with `--quick`). Reports how fast the promotions went, then 20
 * readers of the page's endpoints and of single stages for 10 s: failed reads (target 0), the
 * p99, and the project state's size against its budget (core/project/state-budget.ts).
 */
import { jsonSize } from '../core/payload-budget.js';
import { STATE_BUDGET_BYTES } from '../core/project/state-budget.js';
import { Disposer } from '../test/support/git-repos.js';
import { aFreight, aProject, aStage, aWarehouse, yamlOf } from '../test/support/manifests.js';
import { eventually } from '../test/support/poll.js';
import { median, percentile } from './stats.js';
import { projectStateOf } from './support/project-state.js';
import { launchShunt } from './support/launch.js';
import { closedLoopReads } from './support/readers.js';
import type { BenchModule } from './types.js';

const PROJECT = 'stages-bench';
const STAGES = 200;
const READERS = 20;
/** Promote requests sent at once while a round is queued. */
const SENDERS = 10;

const stageName = (i: number): string => `s${String(i).padStart(3, '0')}`;

function pipeline(): string {
  const steps = [{ uses: 'compose-output', as: 'out', config: { round: 'any' } }];
  return yamlOf(
    aProject(PROJECT),
    aWarehouse('app', { project: PROJECT }),
    aFreight({ project: PROJECT, alias: 'one' }),
    ...Array.from({ length: STAGES }, (_, i) => aStage(stageName(i + 1), { project: PROJECT, steps })),
  );
}

/** Runs `work` over `items` with at most `width` at a time. */
async function inParallel<T>(items: T[], width: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < items.length) await work(items[next++]!);
    }),
  );
}

const bench: BenchModule = async ({ workDir, quick, log }) => {
  const rounds = quick ? 3 : 50;
  const disposer = new Disposer();
  try {
    const { shunt, api } = await launchShunt(disposer, workDir);
    await api.apply('stages.yaml', pipeline());
    const stages = Array.from({ length: STAGES }, (_, i) => stageName(i + 1));

    const t0 = Date.now();
    let failedPromotions = 0;
    /** Promote requests refused, by status and message (a project near its budget answers 413). */
    const refused = new Map<string, number>();
    for (let round = 1; round <= rounds; round++) {
      await inParallel(stages, SENDERS, async (stage) => {
        const res = await api.request<{ error?: { message?: string } }>('POST', `/api/v1/projects/${PROJECT}/promotions`, { stage, freight: 'one' });
        if (res.status === 201) return;
        const key = `${res.status} ${res.body?.error?.message ?? ''}`.slice(0, 200);
        refused.set(key, (refused.get(key) ?? 0) + 1);
      });
      const done = await eventually(
        async () => {
          const promotions = await api.promotions(PROJECT);
          return promotions.some((p) => p.status.phase === 'Pending' || p.status.phase === 'Running') ? undefined : promotions;
        },
        `round ${round} of promotions to finish`,
        600_000,
      );
      failedPromotions = done.filter((p) => p.status.phase !== 'Succeeded').length;
      const refusedSoFar = [...refused.values()].reduce((a, b) => a + b, 0);
      log(`round ${round}/${rounds}: done at ${Math.round((Date.now() - t0) / 1000)} s, ${done.length} kept, ${failedPromotions} kept not Succeeded, ${refusedSoFar} refused so far`);
    }
    const refusedTotal = [...refused.values()].reduce((a, b) => a + b, 0);
    if (refusedTotal) log(`promote requests refused: ${JSON.stringify([...refused])}`);
    const minutes = (Date.now() - t0) / 60_000;
    const total = rounds * STAGES - refusedTotal;

    const paths = [`/api/v1/projects`, `/api/v1/projects/${PROJECT}/stages`, `/api/v1/projects/${PROJECT}/freight`, `/api/v1/projects/${PROJECT}/promotions`];
    const { latencies, failed: failedReads } = await closedLoopReads(shunt.api, READERS, 10, (n) =>
      n % 5 === 4 ? `/api/v1/projects/${PROJECT}/stages/${stages[n % STAGES]}` : paths[n % 5]!,
    );

    const state = await projectStateOf(shunt.temporalPort, PROJECT);
    const bytes = jsonSize(state).bytes;
    log(
      `${total} promotions in ${minutes.toFixed(1)} min; state ${bytes} bytes (budget ${STATE_BUDGET_BYTES}), ` +
        `${state.promotions.length} promotions kept; ${latencies.length} reads, ${failedReads} failed, p99 ${Math.round(percentile(latencies, 99))} ms`,
    );
    return [
      {
        name: 'many-stages.promotions-per-min',
        title: `Promotions per minute, ${STAGES} stages promoted in rounds until each has ${rounds} done (one compose-output step)`,
        unit: 'per-min',
        median: total / minutes,
        samples: [total / minutes],
        note: `${total} promotions, ${failedPromotions} of those kept not Succeeded`,
      },
      {
        name: 'many-stages.refused',
        title: `Promote requests of those rounds that were refused`,
        unit: 'count',
        median: refusedTotal,
        samples: [refusedTotal],
        target: { op: '<=', value: 0 },
      },
      {
        name: 'many-stages.read',
        title: `One read of that project afterwards (${READERS} readers: project list, stages, freight, promotions, one stage)`,
        unit: 'ms',
        median: median(latencies),
        p95: percentile(latencies, 95),
        samples: latencies,
        note: `p99 ${Math.round(percentile(latencies, 99))} ms, ${latencies.length} reads`,
      },
      {
        name: 'many-stages.errors',
        title: `Reads of that project that failed`,
        unit: 'count',
        median: failedReads,
        samples: [failedReads],
        target: { op: '<=', value: 0 },
      },
      {
        name: 'many-stages.state-bytes',
        title: `State size of that project (bytes; target: within its budget)`,
        unit: 'count',
        median: bytes,
        samples: [bytes],
        target: { op: '<', value: STATE_BUDGET_BYTES },
        note: `${state.promotions.length} promotion records kept`,
      },
    ];
  } finally {
    await disposer.dispose();
  }
};

export default bench;
