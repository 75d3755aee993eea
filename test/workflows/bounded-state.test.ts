/**
 * A project pushed past the old 2 MiB wedge point with many freight (large freight, few
 * updates) keeps working: changes past the state budget are refused with an error that says so,
 * `pruneProject` brings it back, retention then keeps it bounded at every change that adds
 * freight, it continues as new with a state that fits, and finished promotions are trimmed in the
 * project state while their step outputs stay readable from the promotion workflow. A project that
 * discovery pushes past its budget, or that starts over it (carried over by an older run), is
 * shrunk at once and keeps promoting. The histories saved here (project/bounded-state,
 * project/prune-and-retention) replay in test/replay with the `bounded-project-state` patch in them.
 */
import type { Client } from '@temporalio/client';
import type { TemporalBackend } from '../../api/temporal-backend.js';
import type { DomainError } from '../../core/errors.js';
import { jsonSize, PAYLOAD_LIMIT_BYTES } from '../../core/payload-budget.js';
import { STATE_BUDGET_BYTES, STATE_SHRINK_TARGET_BYTES } from '../../core/project/state-budget.js';
import { applyResources, emptyProjectState } from '../../core/project/apply.js';
import { parseManifestFiles } from '../../core/manifests/files.js';
import type { Project, ProjectScopedManifest } from '../../core/model.js';
import { projectStateQuery, projectWorkflowId, TASK_QUEUE } from '../../workflows/definitions.js';
import type { DiscoveredArtifacts } from '../../core/warehouse/discovered.js';
import { warehouseScannedSignal, warehouseScanTargetQuery } from '../../workflows/warehouse-definitions.js';
import { saveHistory } from '../support/histories.js';
import { aFreight, anImage, aProject, aStage, aWarehouse, WAREHOUSE, yamlOf } from '../support/manifests.js';
import { eventually } from '../support/poll.js';
import { promotionEnded, refusal, startWorkflowHarness, type WorkflowHarness } from '../support/workflow-harness.js';

let harness: WorkflowHarness;
let client: Client;
let backend: TemporalBackend;

beforeAll(async () => {
  harness = await startWorkflowHarness({
    namespace: 'bounded-state',
    activities: { runStep: async () => ({ status: 'Succeeded', output: { rendered: 'values.yaml' } }) },
  });
  ({ client, backend } = harness);
});

afterAll(async () => {
  await harness?.stop();
});

const PROJECT = 'bounded';
/** Image subscriptions of the warehouse: each freight carries one image of each (about 4 KB). */
const SUBSCRIPTIONS = 40;
const repo = (i: number): string => `ghcr.io/example/app-${i}`;

const pipelineOf = (project: string): string => yamlOf(
  aProject(project),
  aWarehouse(WAREHOUSE, { project, subscriptions: Array.from({ length: SUBSCRIPTIONS }, (_, i) => ({ image: { repoURL: repo(i) } })) }),
  aStage('dev', {
    project,
    steps: [{ uses: 'yaml-update', config: { path: 'values.yaml', updates: [{ key: 'image.tag', value: '${{ freight.images[0].tag }}' }] } }],
  }),
);
const pipeline = pipelineOf(PROJECT);

/** A batch of freight manifests of `project`, tags `<batch>.<i>`. */
function batch(n: number, size: number, project = PROJECT): string {
  return yamlOf(
    ...Array.from({ length: size }, (_, i) => {
      const tag = `${n}.${i}.0-${'x'.repeat(40)}`;
      return aFreight({ project, images: Array.from({ length: SUBSCRIPTIONS }, (_, s) => anImage(tag, repo(s), null)) });
    }),
  );
}

const BATCH = 40;

describe('a project with many freight stays within its state budget', () => {
  it('refuses what would pass the budget, is pruned back, then stays bounded past the old wedge point', async () => {
    const handle = await client.workflow.start('projectWorkflow', {
      workflowId: projectWorkflowId(PROJECT),
      taskQueue: TASK_QUEUE,
      args: [{ project: PROJECT, continueAsNewAfterEvents: 60 }],
    });
    await backend.apply([{ name: 'p.yaml', content: pipeline }], { dryRun: false });

    // Kargo's defaults keep two weeks of freight: the state grows until an apply is refused.
    let applied = 0;
    let refused: string | undefined;
    for (let n = 0; n < 20 && refused === undefined; n++) {
      const err = await backend.apply([{ name: `f${n}.yaml`, content: batch(n, BATCH) }], { dryRun: false }).then(
        () => undefined,
        (e: unknown) => e as DomainError,
      );
      if (err) refused = `${err.code}: ${err.message}`;
      else applied += BATCH;
    }
    expect(refused).toMatch(
      /^PayloadTooLarge: apply is refused: project "bounded" state is [\d.]+ KiB and the change adds about [\d.]+ KiB, past its budget of 1 MiB; free room with `shunt project prune bounded --keep-freight <N>`/,
    );
    const full = await backend.getProject(PROJECT);
    expect(Object.keys(full.freight)).toHaveLength(applied);
    expect(full.size!.bytes).toBeLessThanOrEqual(STATE_BUDGET_BYTES);
    expect(full.size!.bytes).toBeGreaterThan(full.size!.warnBytes);

    // The project still promotes: its newest freight goes to dev, and the record is trimmed.
    const newest = Object.values(full.freight).at(-1)!;
    const promotion = await backend.promote(PROJECT, { stage: 'dev', freight: newest.name });
    expect((await promotionEnded(backend, PROJECT, promotion.name)).phase).toBe('Succeeded');
    const record = (await backend.getProject(PROJECT)).promotions.find((p) => p.name === promotion.name)!;
    expect(record).toMatchObject({ trimmed: true, phase: 'Succeeded' });
    expect(record.state).toBeUndefined();
    // The step outputs are read from the promotion workflow.
    const read = await backend.getPromotion(PROJECT, promotion.name);
    expect(Object.values(read.state ?? {})).toContainEqual({ rendered: 'values.yaml' });

    // One command brings it back: keep 5 freight beyond the oldest in use, whatever their age.
    const pruned = await backend.pruneProject(PROJECT, { maxRetainedFreight: 5, minFreightDeletionAgeMs: 0, actor: 'ops' });
    expect(pruned.retention).toEqual({ maxRetainedFreight: 5, minFreightDeletionAgeMs: 0 });
    expect(pruned.droppedFreight).toHaveLength(applied - 6);
    expect(pruned.bytesAfter).toBeLessThan(pruned.bytesBefore / 10);
    const after = await backend.getProject(PROJECT);
    expect(Object.keys(after.freight)).toContain(newest.name);

    // A bad setting is refused before it is sent.
    expect(await refusal(backend.pruneProject(PROJECT, { maxRetainedFreight: -1 }))).toMatch(/^BadRequest: maxRetainedFreight must be a whole number/);

    // Past the old limit: more than 2 MiB of freight in all. Each batch's newest goes to dev, and
    // retention at the next apply drops what is more than 5 older than it.
    const perFreight = full.size!.bytes / applied;
    let total = applied * perFreight;
    for (let n = 100; total < 1.5 * PAYLOAD_LIMIT_BYTES; n++) {
      await backend.apply([{ name: `g${n}.yaml`, content: batch(n, BATCH) }], { dryRun: false });
      total += BATCH * perFreight;
      const now = await backend.getProject(PROJECT);
      expect(Object.keys(now.freight).length).toBeLessThanOrEqual(BATCH + 6 + 1);
      expect(now.size!.bytes).toBeLessThanOrEqual(STATE_BUDGET_BYTES);
      const inDev = await backend.promote(PROJECT, { stage: 'dev', freight: Object.values(now.freight).at(-1)!.name });
      expect((await promotionEnded(backend, PROJECT, inDev.name)).phase).toBe('Succeeded');
    }
    const end = await backend.getProject(PROJECT);
    expect(end.size!.bytes).toBeLessThanOrEqual(STATE_BUDGET_BYTES);
    expect(end.promotions.length).toBeLessThanOrEqual(20);
    // It continued as new on the way, with a state that fit; the first run recorded the patch.
    const described = await client.workflow.getHandle(projectWorkflowId(PROJECT)).describe();
    expect(described.runId).not.toBe(handle.firstExecutionRunId);
    const history = await client.workflow.getHandle(projectWorkflowId(PROJECT), handle.firstExecutionRunId).fetchHistory();
    expect(history.events?.some((e) => e.markerRecordedEventAttributes?.markerName === 'core_patch')).toBe(true);
    await saveHistory(client, projectWorkflowId(PROJECT), 'project', 'bounded-state');
  });

  it('prunes on request and applies the retention at each change that adds freight (small project)', async () => {
    const small = 'pruned';
    const manifests = pipelineOf(small);
    await backend.apply([{ name: 'p.yaml', content: manifests }], { dryRun: false });
    const freightOf = (n: number): string => batch(n, 3, small);
    await backend.apply([{ name: 'a.yaml', content: freightOf(1) }], { dryRun: false });
    const first = Object.values((await backend.getProject(small)).freight);
    const promotion = await backend.promote(small, { stage: 'dev', freight: first[0]!.name });
    expect((await promotionEnded(backend, small, promotion.name)).phase).toBe('Succeeded');

    // Nothing is old enough under Kargo's defaults; with no minimum age, 1 beyond the one in use.
    const pruned = await backend.pruneProject(small, { maxRetainedFreight: 1, minFreightDeletionAgeMs: 0 });
    expect(pruned.droppedFreight).toEqual([]);
    await backend.apply([{ name: 'b.yaml', content: freightOf(2) }], { dryRun: false });
    expect(Object.keys((await backend.getProject(small)).freight)).toHaveLength(6);
    const newer = await backend.promote(small, { stage: 'dev', freight: Object.values((await backend.getProject(small)).freight).at(-1)!.name });
    expect((await promotionEnded(backend, small, newer.name)).phase).toBe('Succeeded');
    // The next apply drops everything more than one older than the freight in dev.
    await backend.apply([{ name: 'c.yaml', content: freightOf(3) }], { dryRun: false });
    const state = await backend.getProject(small);
    expect(Object.keys(state.freight)).toHaveLength(3 + 1 + 1);
    expect(state.freight[first[0]!.name]).toBeUndefined();
    expect(state.retention).toEqual({ maxRetainedFreight: 1, minFreightDeletionAgeMs: 0 });
    expect(state.promotions.every((p) => p.trimmed && p.state === undefined)).toBe(true);
    await saveHistory(client, projectWorkflowId(small), 'project', 'prune-and-retention');
  });

  it('shrinks a project that discovery pushes past its budget, and keeps working (no wedge)', async () => {
    const scanned = 'scanned';
    await backend.apply([{ name: 'p.yaml', content: pipelineOf(scanned) }], { dryRun: false });
    const handle = client.workflow.getHandle(projectWorkflowId(scanned));
    const target = await handle.query(warehouseScanTargetQuery, 'app');
    // Each scan finds a new tag of every image: one freight of about 10 KB; 130 of them pass the budget.
    const found = (n: number): DiscoveredArtifacts => ({
      discoveredAt: '2026-01-01T00:00:00Z',
      subscriptions: Array.from({ length: SUBSCRIPTIONS }, (_, s) => ({
        kind: 'image' as const,
        repoURL: repo(s),
        images: [{ tag: `${n}.0.0-${'y'.repeat(180)}`, digest: `sha256:${String(n).padStart(64, '0')}` }],
      })),
    });
    for (let n = 0; n < 130; n++) await handle.signal(warehouseScannedSignal, { warehouse: 'app', specHash: target!.specHash, found: found(n) });
    const state = await eventually(async () => {
      const s = await backend.getProject(scanned);
      return s.discovery?.warehouses['app']?.lastScan?.at && Object.values(s.freight).some((f) => f.images[0]?.tag.startsWith('129.')) ? s : undefined;
    }, 'the last scan applied');
    expect(state.size!.bytes).toBeLessThanOrEqual(STATE_BUDGET_BYTES);
    expect(Object.keys(state.freight).length).toBeLessThan(130);
    // Still takes changes: the newest freight is promoted.
    const promotion = await backend.promote(scanned, { stage: 'dev', freight: Object.values(state.freight).at(-1)!.name });
    expect((await promotionEnded(backend, scanned, promotion.name)).phase).toBe('Succeeded');
    // No saved history of this one: its scan reports alone are megabytes, and shrinking issues no command.
  });

  it('brings a state that is already over its budget (carried over by an earlier run) back under it at once', async () => {
    const oversized = 'oversized';
    // The state an older run would have carried into continue-as-new: 1.4 MiB, under Temporal's 2 MiB.
    const parsed = parseManifestFiles([
      { name: 'p.yaml', content: pipelineOf(oversized) },
      ...Array.from({ length: 9 }, (_, n) => ({ name: `f${n}.yaml`, content: batch(n, BATCH, oversized) })),
    ]).manifests;
    const state = emptyProjectState(oversized, '2026-01-01T00:00:00.000Z');
    applyResources(
      state,
      {
        resources: parsed.filter((m): m is ProjectScopedManifest => m.kind !== 'Project'),
        projectManifest: parsed.find((m): m is Project => m.kind === 'Project')!,
        clusterTasks: [],
      },
      '2026-01-01T00:00:00.000Z',
      Math.random,
    );
    const before = jsonSize(state).bytes;
    expect(before).toBeGreaterThan(STATE_BUDGET_BYTES);
    expect(before).toBeLessThan(PAYLOAD_LIMIT_BYTES);

    const handle = await client.workflow.start('projectWorkflow', {
      workflowId: projectWorkflowId(oversized),
      taskQueue: TASK_QUEUE,
      args: [{ project: oversized, state }],
    });
    // Read straight from the workflow: this project was never registered with the cluster workflow.
    const read = () => handle.query(projectStateQuery);
    const after = await eventually(async () => ((await read()).size ? read() : undefined), 'the state measured');
    expect(after.size!.bytes).toBeLessThanOrEqual(STATE_SHRINK_TARGET_BYTES);
    // Takes changes again: its newest freight is promoted.
    const newest = Object.values(after.freight).at(-1)!;
    const promotion = await backend.promote(oversized, { stage: 'dev', freight: newest.name });
    const done = await eventually(async () => {
      const p = (await read()).promotions.find((x) => x.name === promotion.name);
      return p && ['Succeeded', 'Failed', 'Errored', 'Aborted'].includes(p.phase) ? p : undefined;
    }, 'the promotion to end');
    expect(done.phase).toBe('Succeeded');
  });
});
