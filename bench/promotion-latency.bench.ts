/**
 * Promotion latency on a small repository through the real stack: Shunt started as `npm start`
 * starts it (embedded Temporal, worker, api as processes), a GitOps repository of a few files
 * served over git smart HTTP on 127.0.0.1, one stage with clone, set image, commit, push. Each
 * sample is one promotion, from the POST that requests it until the api reports it Succeeded, to
 * a read that waits for the end as `shunt promote --wait` makes it (`?wait=`).
 */
import { join } from 'node:path';
import { GitHttpServer } from '../test/support/git-server.js';
import { Disposer } from '../test/support/git-repos.js';
import { freightManifest, gitopsRepo, projectManifests, promotionSteps } from '../test/support/gitops-fixture.js';
import { median, percentile } from './stats.js';
import { launchShunt, temporalClientOf } from './support/launch.js';
import { describeTimelines, promotionTimeline, type PromotionTimeline } from './support/promotion-timeline.js';
import type { BenchModule } from './types.js';

const PROJECT = 'latency';

const bench: BenchModule = async ({ workDir, quick, log }) => {
  const disposer = new Disposer();
  try {
    await gitopsRepo(disposer, join(workDir, 'repos'), 'small', ['dev']);
    const server = new GitHttpServer({ root: join(workDir, 'repos') });
    await server.start();
    disposer.add(() => server.stop());
    const { shunt, api } = await launchShunt(disposer, workDir);
    await api.apply('latency.yaml', projectManifests(PROJECT, [{ name: 'dev', steps: promotionSteps(server.url('small'), 'dev') }]));

    const runs = quick ? 3 : 15;
    const samples: number[] = [];
    const workflowIds: string[] = [];
    /** Wall-clock times of each counted sample: the POST, and the api's first answer that it ended. */
    const asked: { posted: number; answered: number }[] = [];
    // One warm-up promotion (first mirror clone, first workflow task) that is not counted.
    for (let i = 0; i <= runs; i++) {
      const tag = `1.${i}.0`;
      await api.apply(`freight-${tag}.yaml`, freightManifest(PROJECT, tag));
      const freight = (await api.freight(PROJECT)).find((f) => f.images[0]?.tag === tag)!.metadata.name;
      const t0 = performance.now();
      const posted = Date.now();
      const name = await api.promote(PROJECT, 'dev', freight);
      // Waits for the end as `shunt promote --wait` does (`?wait=`).
      const done = await api.finished(PROJECT, name, 120_000);
      const ms = performance.now() - t0;
      const answered = Date.now();
      if (done.status.phase !== 'Succeeded') throw new Error(`promotion ${name} ended ${done.status.phase}`);
      if (i > 0) {
        samples.push(ms);
        asked.push({ posted, answered });
        workflowIds.push(done.status.workflowId!);
      }
      log(`${i === 0 ? 'warm-up' : `run ${i}/${runs}`}: ${Math.round(ms)} ms`);
    }
    const client = await temporalClientOf(disposer, shunt);
    const timelines = await Promise.all(workflowIds.map((id) => promotionTimeline(client, id)));
    log(`where the time goes:\n${describeTimelines(timelines)}\n${describeAround(timelines, asked)}\n${describeSlowest(timelines, asked, samples)}`);
    return [
      {
        name: 'promotion-latency.small-repo',
        title: 'Promotion latency, small repository (clone, set image, commit, push over smart HTTP)',
        unit: 'ms',
        median: median(samples),
        p95: percentile(samples, 95),
        samples,
        target: { op: '<=', value: 300 },
      },
    ];
  } finally {
    await disposer.dispose();
  }
};
export default bench;

/** Medians of what lies outside the workflow: the POST until it started, its report to the project until the api said so. */
function describeAround(timelines: PromotionTimeline[], asked: { posted: number; answered: number }[]): string {
  const ms = (xs: number[]): string => `${Math.round(median(xs))} ms`;
  return (
    `  around it: POST → workflow started ${ms(timelines.map((t, i) => t.started - asked[i]!.posted))}, ` +
    `started → reported to its project ${ms(timelines.map((t) => t.reported - t.started))}, ` +
    `reported → the api says it ended ${ms(timelines.map((t, i) => asked[i]!.answered - t.reported))} (clocks of one machine)`
  );
}

/** The slowest sample, event by event (ms since its POST): where an outlier lost its time. */
function describeSlowest(timelines: PromotionTimeline[], asked: { posted: number; answered: number }[], samples: number[]): string {
  const i = samples.indexOf(Math.max(...samples));
  const t = timelines[i]!;
  const at = (ms: number): number => Math.round(ms - asked[i]!.posted);
  const tasks = t.workflowTasks.map((w) => `${at(w.scheduled)}→${at(w.started)}→${at(w.completed)}`).join(', ');
  const activities = t.activities.map((a) => `${a.name} ${at(a.scheduled)}→${at(a.started)}→${at(a.completed)}`).join(', ');
  return (
    `  the slowest, ${Math.round(samples[i]!)} ms (ms after its POST): started ${at(t.started)}, workflow tasks ${tasks}; ` +
    `${activities}; reported ${at(t.reported)}, closed ${at(t.closed)}, the api answered ${at(asked[i]!.answered)}`
  );
}
