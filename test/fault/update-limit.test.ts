/**
 * Fault: many promote requests at once to one project, on a Temporal server with its default
 * limit of in-flight updates per workflow (`history.maxInFlightUpdates`, 10), as a stock
 * cluster has it. Past that limit the server refuses the next update and, in refusing it, clears
 * the workflow's whole update registry: every update in flight is aborted ("workflow update was
 * aborted") and sent again by the client seconds later. The api keeps at most
 * UPDATES_IN_FLIGHT_PER_PROJECT in flight to one project, so no update is ever refused or aborted.
 * Under `npm start` the embedded server takes more, and the launcher lets the api send more.
 */
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UPDATES_IN_FLIGHT_PER_PROJECT } from '../../api/temporal-backend.js';
import { IN_FLIGHT_UPDATE_LIMIT, startEmbeddedTemporal, UPDATES_IN_FLIGHT_WITH_EMBEDDED_SERVER } from '../../launcher/embedded-temporal.js';
import { freePort } from '../../launcher/free-port.js';
import { resolveTemporalTool } from '../../launcher/temporal-binary.js';
import { Disposer } from '../support/git-repos.js';
import { LaunchedShunt, processesUsing } from '../support/launched-shunt.js';
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

/**
 * Sends a promote request for each of STAGES stages of one project at once, and checks that each
 * was accepted the first time (none aborted, none sent again) and that every promotion succeeds.
 */
async function promoteAllAtOnce(launched: LaunchedShunt, root: string, serverLog: () => string): Promise<void> {
  const api = new ShuntApi(() => launched.api);
  const pipeline = await prepareLoad(api, disposer, root, { projects: 1, stages: STAGES, rounds: 1 });
  const [project] = Object.keys(pipeline.repos) as [string];
  const [freight] = pipeline.freight[project] as [string];

  const names = await Promise.all(pipeline.stages[project]!.map((stage) => api.promote(project, stage, freight)));

  expect(new Set(names).size).toBe(STAGES);
  // The server logs each aborted update ("workflow update was aborted"); the api each one it sent again.
  expect(serverLog().split('\n').filter((line) => /UpdateWorkflowExecution|update was aborted/.test(line))).toEqual([]);
  expect(launched.output).not.toMatch(/did not accept an update/);
  const ended = await Promise.all(names.map((name) => api.finished(project, name)));
  expect(ended.map((p) => p.status.phase)).toEqual(names.map(() => 'Succeeded'));
}

describe(`${STAGES} promote requests at once to one project`, () => {
  it(`on a server that takes ${TEMPORAL_IN_FLIGHT_UPDATE_LIMIT} updates in flight, as a stock one: each accepted the first time, every promotion succeeds`, async () => {
    expect(UPDATES_IN_FLIGHT_PER_PROJECT).toBeLessThan(TEMPORAL_IN_FLIGHT_UPDATE_LIMIT);
    const serverLog: string[] = [];
    const server = await startEmbeddedTemporal({
      binary: process.env.TEMPORAL_CLI_PATH ?? resolveTemporalTool('temporal'),
      port: await freePort(),
      dynamicConfig: { 'history.maxInFlightUpdates': TEMPORAL_IN_FLIGHT_UPDATE_LIMIT },
      onOutput: (line) => serverLog.push(line),
    });
    disposer.add(() => server.stop());
    const launched = new LaunchedShunt({ dataDir: join(work, 'stock', 'data'), env: { TEMPORAL_ADDRESS: server.address, TEMPORAL_NAMESPACE: 'default' } });
    disposer.add(() => launched.stop());
    await launched.start();
    await promoteAllAtOnce(launched, join(work, 'stock'), () => serverLog.join('\n'));
  }, 300_000);

  it(`under npm start, whose server takes ${IN_FLIGHT_UPDATE_LIMIT} and whose api sends up to ${UPDATES_IN_FLIGHT_WITH_EMBEDDED_SERVER}: all in flight at once, each accepted the first time`, async () => {
    expect(STAGES).toBeLessThan(UPDATES_IN_FLIGHT_WITH_EMBEDDED_SERVER);
    const dataDir = join(work, 'embedded', 'data');
    const launched = new LaunchedShunt({ dataDir });
    disposer.add(() => launched.stop());
    await launched.start();
    const apiProcess = processesUsing(dataDir).find((p) => p.command.includes(join('dist', 'api', 'server.js')));
    expect(readFileSync(`/proc/${apiProcess!.pid}/environ`, 'latin1').split('\0')).toContain(
      `SHUNT_UPDATES_IN_FLIGHT_PER_PROJECT=${UPDATES_IN_FLIGHT_WITH_EMBEDDED_SERVER}`,
    );
    // The embedded server's lines come through the launcher's output ("temporal: …").
    await promoteAllAtOnce(launched, join(work, 'embedded'), () => launched.output);
  }, 300_000);
});
