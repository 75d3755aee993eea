/**
 * Reads that scale (issue 15): 100 concurrent readers polling the web page's endpoints on one
 * project while 20 promotions are in flight, on Shunt as `npm start` runs it. Each promotion's one
 * step is an `http` step polling a local gate every second until the bench opens it, so the
 * promotions keep running (and signalling their project workflow) for the whole measurement.
 * Reports each read's latency (p50, p99: target p99 < 200 ms), the reads that failed (target 0),
 * how many queries the api sent per second meanwhile (Temporal's side of the coalescing), and the
 * project state's size. Then one event-stream subscriber per reader would cost the same one watcher.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { jsonSize } from '../core/payload-budget.js';
import { Disposer } from '../test/support/git-repos.js';
import { aFreight, aProject, aStage, aWarehouse, WAREHOUSE, yamlOf } from '../test/support/manifests.js';
import { eventually } from '../test/support/poll.js';
import type { ShuntApi } from '../test/support/shunt-api.js';
import { median, percentile } from './stats.js';
import { launchShunt } from './support/launch.js';
import { closedLoopReads } from './support/readers.js';
import { projectStateOf } from './support/project-state.js';
import type { BenchFigure, BenchModule } from './types.js';

const PROJECT = 'reads-bench';
const STAGES = 20;
const READERS = 100;
/** The web page's reads of a project, in the order a reader cycles through them. */
const PAGE_READS = ['/api/v1/projects', `/api/v1/projects/${PROJECT}/warehouses`, `/api/v1/projects/${PROJECT}/stages`, `/api/v1/projects/${PROJECT}/freight`, `/api/v1/projects/${PROJECT}/promotions`];

const stageName = (i: number): string => `s${String(i).padStart(2, '0')}`;

function pipeline(gate: string): string {
  const step = { uses: 'http', config: { url: gate, pollInterval: '1s', successExpression: 'response.status == 200' } };
  return yamlOf(
    aProject(PROJECT),
    aWarehouse(WAREHOUSE, { project: PROJECT }),
    aFreight({ project: PROJECT, tag: '1.0.0', digest: null, alias: 'one' }),
    ...Array.from({ length: STAGES }, (_, i) => aStage(stageName(i + 1), { project: PROJECT, steps: [step] })),
  );
}

const bench: BenchModule = async ({ workDir, quick, log }) => {
  const seconds = quick ? 10 : 30;
  const disposer = new Disposer();
  try {
    // The gate every promotion's step polls: 202 (keep polling) until the bench opens it.
    let open = false;
    let polls = 0;
    const gate = createServer((_req, res) => {
      polls++;
      res.writeHead(open ? 200 : 202).end();
    });
    await new Promise<void>((r) => gate.listen(0, '127.0.0.1', r));
    disposer.add(() => new Promise<void>((r) => gate.close(() => r())));
    const gateUrl = `http://127.0.0.1:${(gate.address() as AddressInfo).port}/gate`;

    const { shunt, api } = await launchShunt(disposer, workDir);
    await api.apply('reads.yaml', pipeline(gateUrl));
    for (let i = 1; i <= STAGES; i++) await api.promote(PROJECT, stageName(i), 'one');
    await eventually(async () => {
      const running = (await api.promotions(PROJECT)).filter((p) => p.status.phase === 'Running').length;
      return running === STAGES ? running : undefined;
    }, `${STAGES} promotions running`, 120_000);
    log(`${STAGES} promotions in flight; ${READERS} readers for ${seconds} s`);

    const pollsBefore = polls;
    const { latencies, failures, failed } = await closedLoopReads(shunt.api, READERS, seconds, (n) => PAGE_READS[n % PAGE_READS.length]!);
    // Asked again while a loaded worker lets the query time out: the figures above are what counts.
    const stillRunning = (await eventually(() => api.promotions(PROJECT), 'the promotions', 120_000)).filter((p) => p.status.phase === 'Running').length;
    log(`${latencies.length} reads, ${failed} failed ${failed ? JSON.stringify([...failures]) : ''}; the steps polled their gate ${polls - pollsBefore} times meanwhile; ${stillRunning} promotions still running`);

    const state = await projectStateOf(shunt.temporalPort, PROJECT);
    const bytes = jsonSize(state).bytes;
    log(`project state: ${bytes} bytes (${Object.keys(state.freight).length} freight, ${state.promotions.length} promotions, ${STAGES} stages)`);

    open = true;
    const readsPerSecond = latencies.length / seconds;
    const history = await longHistory(api, shunt.api, shunt.temporalPort, quick ? 1000 : 10_000, log);
    return [
      ...history,
      {
        name: 'project-reads.latency',
        title: `One read, ${READERS} concurrent readers of one project's page endpoints, ${STAGES} promotions in flight`,
        unit: 'ms',
        median: median(latencies),
        p95: percentile(latencies, 95),
        samples: latencies,
        note: `${latencies.length} reads in ${seconds} s (${Math.round(readsPerSecond)}/s)`,
      },
      {
        name: 'project-reads.p99',
        title: `p99 of those reads`,
        unit: 'ms',
        median: percentile(latencies, 99),
        samples: [percentile(latencies, 99)],
        target: { op: '<', value: 200 },
      },
      {
        name: 'project-reads.errors',
        title: `Reads that failed among those`,
        unit: 'count',
        median: failed,
        samples: [failed],
        target: { op: '<=', value: 0 },
      },
      {
        name: 'project-reads.state-bytes',
        title: `Project state size with ${STAGES} stages and ${STAGES} promotions in flight (bytes)`,
        unit: 'count',
        median: bytes,
        samples: [bytes],
      },
    ];
  } finally {
    await disposer.dispose();
  }
};

const HISTORY_PROJECT = 'reads-history';
const HISTORY_BATCH = 200;

/** A project whose warehouse made `total` freight over its life (applied in batches): it keeps answering, its state bounded. */
async function longHistory(api: ShuntApi, apiUrl: string, temporalPort: number, total: number, log: (m: string) => void): Promise<BenchFigure[]> {
  const head = yamlOf(
    aProject(HISTORY_PROJECT),
    aWarehouse(WAREHOUSE, { project: HISTORY_PROJECT }),
    ...['dev', 'staging', 'prod'].map((s, i) =>
      aStage(s, { project: HISTORY_PROJECT, sources: i === 0 ? { direct: true } : { stages: [['dev', 'staging'][i - 1]!] }, steps: [{ uses: 'compose-output', config: { a: 'b' } }] }),
    ),
  );
  await api.apply('history.yaml', head);
  // Freight made over years is older than Kargo's minimum deletion age; made within minutes here, it
  // would all be too young to drop: the age is set to 0 so retention acts as it would on old freight.
  const pruned = await api.request('POST', `/api/v1/projects/${HISTORY_PROJECT}/prune`, { minFreightDeletionAgeMs: 0 });
  if (pruned.status !== 200) throw new Error(`prune answered ${pruned.status}: ${JSON.stringify(pruned.body)}`);
  const t0 = Date.now();
  for (let made = 0; made < total; made += HISTORY_BATCH) {
    const batch = Array.from({ length: Math.min(HISTORY_BATCH, total - made) }, (_, i) => aFreight({ project: HISTORY_PROJECT, tag: `1.${made + i}.0`, digest: null }));
    await api.apply(`freight-${made}.yaml`, yamlOf(...batch));
  }
  log(`${total} freight made in ${Math.round((Date.now() - t0) / 1000)} s`);
  const historyPaths = ['stages', 'freight', 'promotions'].map((kind) => `/api/v1/projects/${HISTORY_PROJECT}/${kind}`);
  const { latencies, failed } = await closedLoopReads(apiUrl, 20, 10, (n) => historyPaths[n % historyPaths.length]!);
  const state = await projectStateOf(temporalPort, HISTORY_PROJECT);
  const bytes = jsonSize(state).bytes;
  log(`${HISTORY_PROJECT}: state ${bytes} bytes, ${Object.keys(state.freight).length} freight kept of ${total}; ${latencies.length} reads, ${failed} failed`);
  return [
    {
      name: 'project-reads.history-read',
      title: `One read of a project whose warehouse made ${total} freight over its life (20 readers)`,
      unit: 'ms',
      median: median(latencies),
      p95: percentile(latencies, 95),
      samples: latencies,
      note: `p99 ${Math.round(percentile(latencies, 99))} ms, ${failed} failed, ${Object.keys(state.freight).length} freight kept`,
    },
    {
      name: 'project-reads.history-errors',
      title: `Reads of that project that failed`,
      unit: 'count',
      median: failed,
      samples: [failed],
      target: { op: '<=', value: 0 },
    },
    {
      name: 'project-reads.history-state-bytes',
      title: `State size of that project (bytes)`,
      unit: 'count',
      median: bytes,
      samples: [bytes],
    },
  ];
}

export default bench;
