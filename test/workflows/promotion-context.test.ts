/**
 * The promotion context is built once by the project workflow and reaches a step's expressions
 * unchanged (contract): a rollback promoted through the api's TemporalBackend, the real project
 * and promotion workflows and the real step activities, reads `ctx.meta.promotion.rollback`,
 * `ctx.meta.promotion.actor` and `ctx.uiBaseUrl` (the worker's SHUNT_UI_BASE_URL) in a step.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { FileCredentialStore } from '../../activities/adapters/credentials.js';
import { createActivities } from '../../activities/index.js';
import type { TemporalBackend } from '../../api/temporal-backend.js';
import { projectWorkflowId, promotionWorkflowId, TASK_QUEUE } from '../../workflows/definitions.js';
import { Disposer, tempDir } from '../support/git-repos.js';
import { saveHistory } from '../support/histories.js';
import { aStage, yamlOf } from '../support/manifests.js';
import { freightManifest, projectAndWarehouse, promotionEnded, startWorkflowHarness, type WorkflowHarness } from '../support/workflow-harness.js';

const namespace = 'promotion-context';
const project = 'ctx';
const UI_BASE_URL = 'https://shunt.example.com';
const disposer = new Disposer();
let harness: WorkflowHarness;
let backend: TemporalBackend;

beforeAll(async () => {
  const dataDir = await tempDir(disposer, 'shunt-data-');
  const credentials = path.join(dataDir, 'credentials');
  await fs.promises.mkdir(credentials);
  const real = createActivities({ dataDir, workerQueue: TASK_QUEUE, credentials: new FileCredentialStore(credentials), uiBaseUrl: UI_BASE_URL });
  harness = await startWorkflowHarness({
    namespace,
    activities: {
      prepareWorkspace: real.prepareWorkspace,
      runStep: real.runStep,
      releaseWorkspace: real.releaseWorkspace,
      workspaceExists: real.workspaceExists,
    },
  });
  ({ backend } = harness);
});

afterAll(async () => {
  await harness?.stop();
  await disposer.dispose();
});

const PIPELINE = `${projectAndWarehouse(project)}---
${yamlOf(
  aStage('dev', {
    project,
    steps: [
      {
        uses: 'compose-output',
        as: 'seen',
        config: {
          rollback: '${{ ctx.meta.promotion.rollback }}',
          actor: '${{ ctx.meta.promotion.actor }}',
          ui: '${{ ctx.uiBaseUrl }}',
          link: "${{ ctx.uiBaseUrl + '/projects/' + ctx.project + '/stages/' + ctx.stage }}",
          target: '${{ ctx.targetFreight.alias }}',
          promotion: '${{ ctx.promotion }}',
        },
      },
    ],
  }),
)}`;

describe('the promotion context in a step', () => {
  it('shows a rollback as ctx.meta.promotion.rollback, with the actor and the worker’s ctx.uiBaseUrl', async () => {
    await backend.apply([{ name: 'p.yaml', content: PIPELINE }], { dryRun: false });
    await backend.apply(
      [{ name: 'f.yaml', content: `${freightManifest(project, '1.0.0', 'v1-0-0')}---${freightManifest(project, '2.0.0', 'v2-0-0')}` }],
      { dryRun: false },
    );

    const forward: { name: string; seen: unknown }[] = [];
    for (const freight of ['v1-0-0', 'v2-0-0']) {
      const promotion = await backend.promote(project, { stage: 'dev', freight, actor: 'erin' });
      const done = await promotionEnded(backend, project, promotion.name);
      expect(done.phase).toBe('Succeeded');
      forward.push({ name: promotion.name, seen: done.state?.['seen'] });
    }
    const back = await backend.promote(project, { stage: 'dev', freight: 'v1-0-0', actor: 'frank' });
    expect(back.rollback).toBe(true);
    const rolledBack = await promotionEnded(backend, project, back.name);
    expect(rolledBack.phase).toBe('Succeeded');

    expect(forward[1]!.seen).toEqual({
      rollback: false,
      actor: 'erin',
      ui: UI_BASE_URL,
      link: `${UI_BASE_URL}/projects/${project}/stages/dev`,
      target: 'v2-0-0',
      promotion: forward[1]!.name,
    });
    expect(rolledBack.state?.['seen']).toEqual({
      rollback: true,
      actor: 'frank',
      ui: UI_BASE_URL,
      link: `${UI_BASE_URL}/projects/${project}/stages/dev`,
      target: 'v1-0-0',
      promotion: back.name,
    });
    await saveHistory(harness.client, promotionWorkflowId(project, back.name), 'promotion', 'rollback-context');
    await saveHistory(harness.client, projectWorkflowId(project), 'project', 'rollback-context');
  });
});
