/**
 * What 50 warehouses on 5-minute intervals cost between changes (issue 20): Shunt started as
 * `npm start` starts it, 50 warehouses each subscribed to its own image repository on Debian's
 * docker-registry, their first scans done. The CPU time of every process of the launch (the
 * embedded Temporal server, the worker, the api, the spawn helper and the children they
 * waited for) is read from /proc over two windows of the same length: one idle, one in which
 * every warehouse's schedule fires once, as it does every 5 minutes, and finds nothing new.
 * The difference is what one round of scans costs; spread over the 5-minute interval, it is
 * the share of one core the warehouses take.
 */
import { join } from 'node:path';
import { warehouseScheduleId } from '../workflows/warehouse-definitions.js';
import { Disposer } from '../test/support/git-repos.js';
import { aProject, aWarehouse, yamlOf } from '../test/support/manifests.js';
import { pushImage } from '../test/support/oci-images.js';
import { startRegistry } from '../test/support/oci-registry.js';
import { launchShunt, temporalClientOf } from './support/launch.js';
import { cpuSeconds } from './support/process-cpu.js';
import type { BenchModule } from './types.js';

const PROJECT = 'scans';
const INTERVAL_S = 300;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

const bench: BenchModule = async ({ workDir, quick, log }) => {
  const count = quick ? 10 : 50;
  const windowMs = quick ? 15_000 : 30_000;
  const disposer = new Disposer();
  const registry = await startRegistry();
  disposer.add(() => registry.stop());
  try {
    for (let i = 0; i < count; i++) await pushImage(registry.host, `bench/w${i}`, '1.0.0', { content: `w${i}` });
    const { shunt, api } = await launchShunt(disposer, workDir);
    const warehouses = Array.from({ length: count }, (_, i) => aWarehouse(`w${i}`, { project: PROJECT, image: `${registry.host}/bench/w${i}`, spec: { interval: '5m' } }));
    await api.apply('scans.yaml', yamlOf(aProject(PROJECT), ...warehouses));
    const deadline = Date.now() + 180_000;
    while ((await api.freight(PROJECT)).length < count) {
      if (Date.now() > deadline) throw new Error(`the first scans made ${(await api.freight(PROJECT)).length} of ${count} freight in 3 minutes`);
      await sleep(500);
    }
    await sleep(5_000);
    const dataDir = join(workDir, 'data');

    const idleStart = cpuSeconds(dataDir);
    await sleep(windowMs);
    const idle = cpuSeconds(dataDir) - idleStart;

    const client = await temporalClientOf(disposer, shunt);
    const since = new Date().toISOString();
    const scanStart = cpuSeconds(dataDir);
    const t0 = Date.now();
    await Promise.all(warehouses.map((w) => client.schedule.getHandle(warehouseScheduleId(PROJECT, w.metadata.name)).trigger()));
    const done = async (): Promise<number> =>
      (await client.workflow.count(`WorkflowType = 'warehouseScanWorkflow' AND ExecutionStatus = 'Completed' AND StartTime >= '${since}'`)).count;
    while ((await done()) < count) {
      if (Date.now() - t0 > windowMs) throw new Error(`only ${await done()} of ${count} scans completed within ${windowMs / 1000} s`);
      await sleep(250);
    }
    const scansMs = Date.now() - t0;
    await sleep(Math.max(0, windowMs - (Date.now() - t0)));
    const withScans = cpuSeconds(dataDir) - scanStart;
    if ((await api.freight(PROJECT)).length !== count) throw new Error('a scan that should have found nothing new made freight');

    const roundCpu = Math.max(0, withScans - idle);
    const percent = (roundCpu / INTERVAL_S) * 100;
    log(`${count} scans completed in ${scansMs} ms; CPU over ${windowMs / 1000} s: ${idle.toFixed(2)} s idle, ${withScans.toFixed(2)} s with the scans`);
    return [
      {
        name: `scan-cpu.${count}-warehouses`,
        title: `${count} warehouses on 5-minute intervals, between changes: share of one core`,
        unit: 'percent',
        median: percent,
        samples: [percent],
        target: { op: '<', value: 5 },
        note: `one round of ${count} scans: ${roundCpu.toFixed(2)} CPU s; the whole stack idle: ${((idle / (windowMs / 1000)) * 100).toFixed(1)} % of a core`,
      },
    ];
  } finally {
    await disposer.dispose();
  }
};

export default bench;
