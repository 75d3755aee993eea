/**
 * Fault: a project whose state is already past Temporal's 2 MiB payload limit, as a run of a
 * version without a state budget leaves it. Such a state cannot be started today (the server
 * refuses it), so it is made as it happened: a server that took larger payloads ran the project
 * with a 2.5 MiB state, then the same database is served with the standard limit (where starting
 * that state again is refused). Shunt runs on it as `npm start` runs it against an external server,
 * and the documented command, `shunt project prune`, leaves the project under its budget, set to
 * keep what it was told, readable and promoting.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { startEmbeddedTemporal } from '../../launcher/embedded-temporal.js';
import { freePort } from '../../launcher/free-port.js';
import { resolveTemporalTool } from '../../launcher/temporal-binary.js';
import { parseManifestFiles } from '../../core/manifests/files.js';
import type { Project, ProjectScopedManifest } from '../../core/model.js';
import { jsonSize, PAYLOAD_LIMIT_BYTES } from '../../core/payload-budget.js';
import { applyResources, emptyProjectState } from '../../core/project/apply.js';
import { STATE_BUDGET_BYTES } from '../../core/project/state-budget.js';
import type { ProjectState } from '../../core/project/state.js';
import { CLUSTER_WORKFLOW_ID, projectStateQuery, projectWorkflowId, TASK_QUEUE } from '../../workflows/definitions.js';
import { shunt } from '../support/cli.js';
import { Disposer } from '../support/git-repos.js';
import { LaunchedShunt } from '../support/launched-shunt.js';
import { aFreight, aProject, aStage, aWarehouse, WAREHOUSE, yamlOf } from '../support/manifests.js';
import { eventually } from '../support/poll.js';
import { ShuntApi } from '../support/shunt-api.js';

const PROJECT = 'past-limit';
/** Image subscriptions of the warehouse: each freight carries one image of each (about 4 KB). */
const SUBSCRIPTIONS = 40;
const FREIGHT = 640;
const MADE_AT = '2026-01-01T00:00:00.000Z';
const repo = (i: number): string => `ghcr.io/example/app-${i}`;

/** The state a run without a budget would have grown to: a pipeline and FREIGHT large freight. */
function oversizedState(): ProjectState {
  const pipeline = yamlOf(
    aProject(PROJECT),
    aWarehouse(WAREHOUSE, { project: PROJECT, subscriptions: Array.from({ length: SUBSCRIPTIONS }, (_, i) => ({ image: { repoURL: repo(i) } })) }),
    aStage('dev', { project: PROJECT, steps: [{ uses: 'compose-output', as: 'out', config: { promoted: 'yes' } }] }),
  );
  const freight = yamlOf(
    ...Array.from({ length: FREIGHT }, (_, n) =>
      aFreight({ project: PROJECT, images: Array.from({ length: SUBSCRIPTIONS }, (_, s) => ({ repoURL: repo(s), tag: `1.${n}.0-${'x'.repeat(40)}` })) }),
    ),
  );
  const parsed = parseManifestFiles([
    { name: 'pipeline.yaml', content: pipeline },
    { name: 'freight.yaml', content: freight },
  ]).manifests;
  const state = emptyProjectState(PROJECT, MADE_AT);
  applyResources(
    state,
    {
      resources: parsed.filter((m): m is ProjectScopedManifest => m.kind !== 'Project'),
      projectManifest: parsed.find((m): m is Project => m.kind === 'Project')!,
      clusterTasks: [],
    },
    MADE_AT,
    Math.random,
  );
  return state;
}

const disposer = new Disposer();
let work: string;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'shunt-oversized-'));
  disposer.add(() => rm(work, { recursive: true, force: true }));
});

afterAll(async () => {
  await disposer.dispose();
}, 60_000);

async function withClient<T>(address: string, use: (client: Client) => Promise<T>): Promise<T> {
  const connection = await Connection.connect({ address });
  try {
    return await use(new Client({ connection }));
  } finally {
    await connection.close();
  }
}

describe('a project already past the 2 MiB payload limit', () => {
  it('is brought under its budget by `shunt project prune`, then reads and promotes', async () => {
    const binary = process.env.TEMPORAL_CLI_PATH ?? resolveTemporalTool('temporal');
    const dbFile = join(work, 'temporal.db');
    const state = oversizedState();
    const bytes = jsonSize(state).bytes;
    expect(bytes).toBeGreaterThan(PAYLOAD_LIMIT_BYTES);

    // A server that took larger payloads ran the project (no worker: nothing shrank it).
    const lenient = await startEmbeddedTemporal({
      binary,
      port: await freePort(),
      dbFile,
      dynamicConfig: { 'limit.blobSize.error': 4 * PAYLOAD_LIMIT_BYTES, 'limit.blobSize.warn': 4 * PAYLOAD_LIMIT_BYTES },
    });
    try {
      await withClient(lenient.address, async (client) => {
        await client.workflow.start('clusterWorkflow', {
          workflowId: CLUSTER_WORKFLOW_ID,
          taskQueue: TASK_QUEUE,
          args: [{ state: { projects: { [PROJECT]: { createdAt: MADE_AT } }, clusterTasks: {} } }],
        });
        await client.workflow.start('projectWorkflow', { workflowId: projectWorkflowId(PROJECT), taskQueue: TASK_QUEUE, args: [{ project: PROJECT, state }] });
      });
    } finally {
      await lenient.stop();
    }

    // The same database under the standard limit: that state is past it.
    const server = await startEmbeddedTemporal({ binary, port: await freePort(), dbFile });
    disposer.add(() => server.stop());
    const refused = await withClient(server.address, (client) =>
      client.workflow.start('projectWorkflow', { workflowId: projectWorkflowId('copy'), taskQueue: TASK_QUEUE, args: [{ project: 'copy', state }] }).then(
        () => undefined,
        (err: unknown) => err,
      ),
    );
    expect(refused).toBeInstanceOf(Error);
    expect(String((refused as Error).cause)).toMatch(/blob data size exceeds limit/i);

    const launched = new LaunchedShunt({ dataDir: join(work, 'data'), env: { TEMPORAL_ADDRESS: server.address, TEMPORAL_NAMESPACE: 'default' } });
    disposer.add(() => launched.stop());
    await launched.start();

    const pruned = await shunt(['project', 'prune', PROJECT, '--keep-freight', '5'], { server: launched.api });
    expect(pruned.stderr).toBe('');
    expect(pruned.code).toBe(0);
    expect(pruned.stdout).toMatch(new RegExp(`^project/${PROJECT} pruned: keeps 5 freight per warehouse beyond the oldest in use, none dropped younger than 336h\\n`));

    const after = await withClient(server.address, (client) => client.workflow.getHandle(projectWorkflowId(PROJECT)).query(projectStateQuery));
    expect(jsonSize(after).bytes).toBeLessThan(STATE_BUDGET_BYTES);
    expect(after.retention).toEqual({ maxRetainedFreight: 5 });
    // No stage holds freight: retention keeps the newest 5.
    expect(Object.keys(after.freight)).toHaveLength(5);

    const api = new ShuntApi(() => launched.api);
    const stages = await api.request<{ items: { metadata: { name: string } }[] }>('GET', `/api/v1/projects/${PROJECT}/stages`);
    expect(stages.status).toBe(200);
    expect(stages.body.items.map((s) => s.metadata.name)).toEqual(['dev']);
    const newest = (await api.freight(PROJECT))[0]!.metadata.name;
    const name = await api.promote(PROJECT, 'dev', newest);
    const done = await eventually(async () => {
      const p = await api.promotion(PROJECT, name);
      return ['Pending', 'Running'].includes(p.status.phase) ? undefined : p;
    }, 'the promotion to end', 120_000);
    expect(done.status.phase).toBe('Succeeded');
  }, 300_000);
});
