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
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { jsonSize } from '../core/payload-budget.js';
import { projectStateQuery, projectWorkflowId } from '../workflows/definitions.js';
import { Disposer } from '../test/support/git-repos.js';
import { LaunchedShunt } from '../test/support/launched-shunt.js';
import { eventually } from '../test/support/poll.js';
import { ShuntApi } from '../test/support/shunt-api.js';
import { median, percentile } from './stats.js';
import type { BenchModule } from './types.js';

const PROJECT = 'reads-bench';
const STAGES = 20;
const READERS = 100;
/** The web page's reads of a project, in the order a reader cycles through them. */
const PAGE_READS = ['/api/v1/projects', `/api/v1/projects/${PROJECT}/warehouses`, `/api/v1/projects/${PROJECT}/stages`, `/api/v1/projects/${PROJECT}/freight`, `/api/v1/projects/${PROJECT}/promotions`];

const stageName = (i: number): string => `s${String(i).padStart(2, '0')}`;

function pipeline(gate: string): string {
  const docs = [
    `apiVersion: kargo.akuity.io/v1alpha1\nkind: Project\nmetadata: {name: ${PROJECT}}`,
    `apiVersion: kargo.akuity.io/v1alpha1\nkind: Warehouse\nmetadata: {name: app, namespace: ${PROJECT}}\nspec:\n  subscriptions:\n    - image: {repoURL: ghcr.io/example/app}`,
    `apiVersion: kargo.akuity.io/v1alpha1\nkind: Freight\nmetadata: {namespace: ${PROJECT}}\nalias: one\norigin: {kind: Warehouse, name: app}\nimages: [{repoURL: ghcr.io/example/app, tag: "1.0.0"}]`,
  ];
  for (let i = 1; i <= STAGES; i++) {
    docs.push(`apiVersion: kargo.akuity.io/v1alpha1
kind: Stage
metadata: {name: ${stageName(i)}, namespace: ${PROJECT}}
spec:
  requestedFreight:
    - origin: {kind: Warehouse, name: app}
      sources: {direct: true}
  promotionTemplate:
    spec:
      steps:
        - uses: http
          config: {url: "${gate}", pollInterval: 1s, successExpression: "response.status == 200"}`);
  }
  return docs.join('\n---\n');
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

    const shunt = new LaunchedShunt({ dataDir: join(workDir, 'data') });
    disposer.add(() => shunt.stop());
    await shunt.start();
    const api = new ShuntApi(() => shunt.api);
    await api.apply('reads.yaml', pipeline(gateUrl));
    for (let i = 1; i <= STAGES; i++) await api.promote(PROJECT, stageName(i), 'one');
    await eventually(async () => {
      const running = (await api.promotions(PROJECT)).filter((p) => p.status.phase === 'Running').length;
      return running === STAGES ? running : undefined;
    }, `${STAGES} promotions running`, 120_000);
    log(`${STAGES} promotions in flight; ${READERS} readers for ${seconds} s`);

    const latencies: number[] = [];
    const failures = new Map<string, number>();
    const pollsBefore = polls;
    const end = Date.now() + seconds * 1000;
    await Promise.all(
      Array.from({ length: READERS }, async (_, reader) => {
        for (let n = reader; Date.now() < end; n++) {
          const path = PAGE_READS[n % PAGE_READS.length]!;
          const started = performance.now();
          try {
            const res = await fetch(`${shunt.api}${path}`);
            await res.arrayBuffer();
            if (res.status !== 200) failures.set(`${res.status}`, (failures.get(`${res.status}`) ?? 0) + 1);
          } catch (err) {
            const key = err instanceof Error ? err.message : String(err);
            failures.set(key, (failures.get(key) ?? 0) + 1);
          }
          latencies.push(performance.now() - started);
        }
      }),
    );
    const failed = [...failures.values()].reduce((a, b) => a + b, 0);
    const stillRunning = (await api.promotions(PROJECT)).filter((p) => p.status.phase === 'Running').length;
    log(`${latencies.length} reads, ${failed} failed ${failed ? JSON.stringify([...failures]) : ''}; the steps polled their gate ${polls - pollsBefore} times meanwhile; ${stillRunning} promotions still running`);

    const connection = await Connection.connect({ address: `127.0.0.1:${shunt.temporalPort}` });
    disposer.add(() => connection.close());
    const state = await new Client({ connection }).workflow.getHandle(projectWorkflowId(PROJECT)).query(projectStateQuery);
    const bytes = jsonSize(state).bytes;
    log(`project state: ${bytes} bytes (${Object.keys(state.freight).length} freight, ${state.promotions.length} promotions, ${STAGES} stages)`);

    open = true;
    const readsPerSecond = latencies.length / seconds;
    return [
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

export default bench;
