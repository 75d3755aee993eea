/**
 * The api's reads on the real dev server (api/project-reads.ts): many readers of a project cost
 * the project workflow one query, a client sees its own write in its next read, one project that
 * cannot be read does not fail the project list, and the routes for one stage, one freight and
 * a page of freight answer through their own queries with the shapes the whole-state reads had.
 * Readers of one snapshot share its rendered answer, whose ETag answers `If-None-Match` with 304.
 */
import { createServer, get as httpGet, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { createApp } from '../../api/app.js';
import { openAccess } from '../../api/auth/index.js';
import { RenderedAnswers } from '../../api/rendered-answers.js';
import { TemporalBackend } from '../../api/temporal-backend.js';
import type { FreightSources } from '../../core/model.js';
import { applyClusterUpdate, CLUSTER_WORKFLOW_ID } from '../../workflows/definitions.js';
import { aStage, yamlOf } from '../support/manifests.js';
import { freightManifest, projectAndWarehouse, startWorkflowHarness, type WorkflowHarness } from '../support/workflow-harness.js';
import { uniqueName } from '../support/temporal.js';

const namespace = 'reads';
let harness: WorkflowHarness;
/** Snapshots that outlive the test: every fresh answer below is owed to invalidation, not to expiry. */
let backend: TemporalBackend;
const answers = new RenderedAnswers();
let server: Server;
let url: string;

/** A stage whose one step is a bare git-clone (the steps here are stubs). */
const stageYaml = (project: string, name: string, sources: FreightSources): string => yamlOf(aStage(name, { project, sources, steps: [{ uses: 'git-clone' }] }));

async function get(path: string): Promise<{ status: number; body: any }> {
  const response = await fetch(`${url}/api/v1${path}`);
  return { status: response.status, body: await response.json() };
}

async function post(path: string, body: unknown): Promise<{ status: number; body: any }> {
  const response = await fetch(`${url}/api/v1${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: response.status, body: await response.json() };
}

async function applyYaml(content: string): Promise<void> {
  const response = await post('/apply', { files: [{ name: 'p.yaml', content }] });
  expect(response.status).toBe(200);
}

beforeAll(async () => {
  harness = await startWorkflowHarness({ namespace, activities: { runStep: async () => ({ status: 'Succeeded' }) } });
  backend = new TemporalBackend({ connection: harness.connection, namespace, readSnapshotMs: 60_000 });
  server = createServer(createApp({ backend, answers, access: openAccess(), namespace, logger: pino({ level: 'warn' }) }));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server?.closeAllConnections();
  await new Promise((r) => server?.close(r));
  await harness?.stop();
});

async function aProject(): Promise<string> {
  const project = uniqueName('reads');
  await applyYaml(
    [projectAndWarehouse(project), stageYaml(project, 'dev', { direct: true }), stageYaml(project, 'prod', { stages: ['dev'] }),
      freightManifest(project, '1.0.0', 'first'), freightManifest(project, '1.1.0', 'second')].join('\n---\n'),
  );
  return project;
}

describe('project reads through the api', () => {
  it('answers 100 concurrent readers of a project with at most one query of each workflow', async () => {
    const project = await aProject();
    const before = backend.reads.queries;
    const answers = await Promise.all(Array.from({ length: 100 }, () => get(`/projects/${project}/stages`)));
    expect(answers.map((a) => a.status)).toEqual(Array(100).fill(200));
    expect(new Set(answers.map((a) => JSON.stringify(a.body))).size).toBe(1);
    // The project's state, and the cluster registry (unless still held from the apply's read).
    expect(backend.reads.queries - before).toBeLessThanOrEqual(2);
  });

  it('renders one answer for 100 readers of a snapshot; its ETag gets 304 until a write changes it', async () => {
    const project = await aProject();
    const path = `${url}/api/v1/projects/${project}/promotions`;
    const before = answers.renders;
    const responses = await Promise.all(Array.from({ length: 100 }, () => fetch(path)));
    const etags = new Set(responses.map((r) => r.headers.get('etag')));
    await Promise.all(responses.map((r) => r.arrayBuffer()));
    expect(answers.renders - before).toBe(1);
    expect(etags.size).toBe(1);
    const etag = [...etags][0]!;
    expect(etag).toMatch(/^"[0-9a-f]{40}"$/);
    expect(responses[0]!.headers.get('cache-control')).toBe('no-cache');

    const unchanged = await revalidate(path, etag);
    expect(unchanged).toEqual({ status: 304, etag, body: '' });
    expect((await revalidate(path, '"another"')).status).toBe(200);

    const promoted = await post(`/projects/${project}/promotions`, { stage: 'dev', freight: 'first' });
    expect(promoted.status).toBe(201);
    const changed = await revalidate(path, etag);
    expect(changed.status).toBe(200);
    expect(changed.etag).not.toBe(etag);
    expect((JSON.parse(changed.body) as any).items.map((p: any) => p.metadata.name)).toEqual([promoted.body.metadata.name]);
  });

  it('shows a client its own write in its next read', async () => {
    const project = await aProject();
    expect((await get(`/projects/${project}/promotions`)).body.items).toEqual([]);
    const promoted = await post(`/projects/${project}/promotions`, { stage: 'dev', freight: 'second' });
    expect(promoted.status).toBe(201);
    const after = await get(`/projects/${project}/promotions`);
    expect(after.body.items.map((p: any) => p.metadata.name)).toEqual([promoted.body.metadata.name]);

    expect((await get(`/projects/${project}/stages/qa`)).status).toBe(404);
    await applyYaml(stageYaml(project, 'qa', { direct: true }));
    expect((await get(`/projects/${project}/stages/qa`)).body.metadata.name).toBe('qa');
    expect((await get(`/projects/${project}`)).body.status.stats.stages.count).toBe(3);
  });

  it('lists every project when one of them cannot be read, that one with its error', async () => {
    const project = await aProject();
    // A project the registry names but whose workflow does not exist: its read fails.
    const ghost = uniqueName('ghost');
    await harness.client.workflow.getHandle(CLUSTER_WORKFLOW_ID).executeUpdate(applyClusterUpdate, { args: [{ projects: [ghost], clusterTasks: [] }] });
    backend.reads.invalidate(''); // the registry changed behind this api's back
    const list = await get('/projects');
    expect(list.status).toBe(200);
    const byName = new Map(list.body.items.map((p: any) => [p.metadata.name, p]));
    expect(byName.get(ghost)).toEqual({
      apiVersion: 'kargo.akuity.io/v1alpha1',
      kind: 'Project',
      metadata: { name: ghost },
      status: { error: `project "${ghost}" not found` },
    });
    expect((byName.get(project) as any).status.stats).toEqual({ warehouses: { count: 1 }, stages: { count: 2 }, freight: { count: 2 } });
    expect((await get(`/projects/${project}/freight`)).status).toBe(200);
  });

  it('answers one stage, one freight and pages of freight as the whole lists show them', async () => {
    const project = await aProject();
    const stages = (await get(`/projects/${project}/stages`)).body.items;
    const dev = await get(`/projects/${project}/stages/dev`);
    expect(dev.status).toBe(200);
    // Availability is judged at the time of each read: the rest must be the same.
    const withoutTime = (s: any) => ({ ...s, status: { ...s.status, freightAvailability: s.status.freightAvailability.map((f: any) => f.freight) } });
    expect(withoutTime(dev.body)).toEqual(withoutTime(stages.find((s: any) => s.metadata.name === 'dev')));

    const all = (await get(`/projects/${project}/freight`)).body;
    expect(all.metadata).toBeUndefined();
    // Both were made by one apply: same time, so ordered by id.
    expect(all.items.map((f: any) => f.alias).sort()).toEqual(['first', 'second']);
    expect((await get(`/projects/${project}/freight/${all.items[1].alias}`)).body).toEqual(all.items[1]);
    expect((await get(`/projects/${project}/freight/${all.items[0].metadata.name}`)).body).toEqual(all.items[0]);
    expect((await get(`/projects/${project}/freight/none`)).status).toBe(404);

    const first = (await get(`/projects/${project}/freight?limit=1`)).body;
    expect(first.items).toEqual([all.items[0]]);
    expect(first.metadata).toEqual({ continue: '1', remainingItemCount: 1 });
    const second = (await get(`/projects/${project}/freight?limit=1&continue=${first.metadata.continue}`)).body;
    expect(second).toEqual({ apiVersion: 'v1', kind: 'List', items: [all.items[1]] });

    const bad = await get(`/projects/${project}/freight?limit=0&continue=x`);
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toBe('limit: must be a whole number from 1 to 1000; continue: the continue token of a previous page');
  });
});

/**
 * A conditional GET as a browser revalidating its copy sends it. (Node's fetch adds
 * `Cache-Control: no-cache` to any request with If-None-Match, and the api then answers in full.)
 */
function revalidate(url: string, etag: string): Promise<{ status: number; etag: string | undefined; body: string }> {
  return new Promise((resolve, reject) => {
    httpGet(url, { headers: { 'if-none-match': etag } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, etag: res.headers.etag, body }));
    }).on('error', reject);
  });
}
