/**
 * Fault: many promote requests at once to one project, on a Temporal server with its default
 * limit of in-flight updates per workflow (`history.maxInFlightUpdates`, 10), as a stock
 * cluster has it. Past that limit the server refuses the next update and, in refusing it, clears
 * the workflow's whole update registry: every update in flight is aborted ("workflow update was
 * aborted") and sent again by the client seconds later. The api keeps at most
 * UPDATES_IN_FLIGHT_PER_PROJECT in flight to one project, so no update is ever refused or aborted.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UPDATES_IN_FLIGHT_PER_PROJECT } from '../../api/temporal-backend.js';
import { startEmbeddedTemporal } from '../../launcher/embedded-temporal.js';
import { freePort } from '../../launcher/free-port.js';
import { resolveTemporalTool } from '../../launcher/temporal-binary.js';
import { Disposer } from '../support/git-repos.js';
import { LaunchedShunt } from '../support/launched-shunt.js';
import { prepareLoad } from '../support/load-scenario.js';
import { ShuntApi } from '../support/shunt-api.js';

/** Temporal's default (common/dynamicconfig/constants.go), stated so that the test keeps it. */
const TEMPORAL_IN_FLIGHT_UPDATE_LIMIT = 10;
const STAGES = 24;

const disposer = new Disposer();
let work: string;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'shunt-update-limit-'));
  disposer.add(() => rm(work, { recursive: true, force: true }));
});

afterAll(async () => {
  await disposer.dispose();
}, 60_000);

describe(`${STAGES} promote requests at once to one project, on a server that takes ${TEMPORAL_IN_FLIGHT_UPDATE_LIMIT} updates in flight`, () => {
  it('are each accepted the first time: none is refused, aborted or sent again, and every promotion succeeds', async () => {
    expect(UPDATES_IN_FLIGHT_PER_PROJECT).toBeLessThan(TEMPORAL_IN_FLIGHT_UPDATE_LIMIT);
    const serverLog: string[] = [];
    const server = await startEmbeddedTemporal({
      binary: process.env.TEMPORAL_CLI_PATH ?? resolveTemporalTool('temporal'),
      port: await freePort(),
      dynamicConfig: { 'history.maxInFlightUpdates': TEMPORAL_IN_FLIGHT_UPDATE_LIMIT },
      onOutput: (line) => serverLog.push(line),
    });
    disposer.add(() => server.stop());
    const launched = new LaunchedShunt({ dataDir: join(work, 'data'), env: { TEMPORAL_ADDRESS: server.address, TEMPORAL_NAMESPACE: 'default' } });
    disposer.add(() => launched.stop());
    await launched.start();
    const api = new ShuntApi(() => launched.api);
    const pipeline = await prepareLoad(api, disposer, work, { projects: 1, stages: STAGES, rounds: 1 });
    const [project] = Object.keys(pipeline.repos) as [string];
    const [freight] = pipeline.freight[project] as [string];

    const names = await Promise.all(pipeline.stages[project]!.map((stage) => api.promote(project, stage, freight)));

    expect(new Set(names).size).toBe(STAGES);
    expect(serverLog.filter((line) => /update/i.test(line))).toEqual([]);
    expect(launched.output).not.toMatch(/did not accept an update/);
    const ended = await Promise.all(names.map((name) => api.finished(project, name)));
    expect(ended.map((p) => p.status.phase)).toEqual(names.map(() => 'Succeeded'));
  }, 300_000);
});
