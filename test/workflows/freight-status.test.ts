/**
 * `freightStatus()` and `configMap()` in a promotion step, end to end on the dev server: the real
 * project and promotion workflows and the real step activities (workspace, runStep) with a
 * credentials folder holding a ConfigMap. The step activity asks the project workflow's
 * `freightStatus` query for the freight's status (currentlyIn, verifiedIn, approvedFor,
 * metadata); nothing of it enters the promotion's activity inputs.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Client, type Connection } from '@temporalio/client';
import { FileCredentialStore } from '../../activities/adapters/credentials.js';
import { createActivities } from '../../activities/index.js';
import type { TemporalBackend } from '../../api/temporal-backend.js';
import { promotionWorkflowId, TASK_QUEUE } from '../../workflows/definitions.js';
import { Disposer, tempDir } from '../support/git-repos.js';
import { connectClient } from '../support/temporal.js';
import { aStage, yamlOf } from '../support/manifests.js';
import { freightManifest, projectAndWarehouse, promotionEnded, startWorkflowHarness, type WorkflowHarness } from '../support/workflow-harness.js';

const namespace = 'freight-status';
const disposer = new Disposer();
let harness: WorkflowHarness;
let backend: TemporalBackend;
let connection: Connection;

beforeAll(async () => {
  const dataDir = await tempDir(disposer, 'shunt-data-');
  const credentials = path.join(dataDir, 'credentials');
  await fs.promises.mkdir(credentials);
  await fs.promises.writeFile(
    path.join(credentials, 'settings.yaml'),
    'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings, namespace: fs}\ndata: {region: eu-west-1}\n',
  );
  connection = await connectClient();
  const real = createActivities({
    dataDir,
    workerQueue: TASK_QUEUE,
    credentials: new FileCredentialStore(credentials),
    temporal: { client: new Client({ connection, namespace }), taskQueue: TASK_QUEUE },
  });
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
  await connection?.close();
  await disposer.dispose();
});

const PIPELINE = `${projectAndWarehouse('fs')}---
${yamlOf(
  aStage('dev', {
    project: 'fs',
    steps: [{ uses: 'set-metadata', config: { updates: [{ kind: 'Freight', name: '${{ ctx.targetFreight.name }}', values: { ticket: 'OPS-1' } }] } }],
  }),
  aStage('prod', {
    project: 'fs',
    steps: [
      {
        uses: 'compose-output',
        as: 'before',
        config: {
          status: '${{ freightStatus(ctx.targetFreight.name) }}',
          inDev: "${{ 'dev' in freightStatus(ctx.targetFreight.alias).CurrentlyIn }}",
          inProd: "${{ 'prod' in freightStatus(ctx.targetFreight.name).currentlyIn }}",
          unknown: "${{ freightStatus('no-such-freight') }}",
          region: "${{ configMap('settings').region }}",
          missing: "${{ configMap('no-such-configmap') }}",
        },
      },
      { uses: 'set-metadata', config: { updates: [{ kind: 'Freight', name: '${{ ctx.targetFreight.name }}', values: { owner: 'bob' } }] } },
      { uses: 'compose-output', as: 'after', config: { metadata: '${{ freightStatus(ctx.targetFreight.name).metadata }}' } },
    ],
  }),
)}`;

describe('freightStatus() and configMap() in a promotion', () => {
  it('render the freight’s live status and the ConfigMap’s data; unknown ones are nil and {}', async () => {
    await backend.apply([{ name: 'p.yaml', content: PIPELINE }], { dryRun: false });
    await backend.apply([{ name: 'f.yaml', content: freightManifest('fs', '1.0.0', 'first-fox') }], { dryRun: false });
    const freight = Object.values((await backend.getProject('fs')).freight)[0]!;

    const toDev = await backend.promote('fs', { stage: 'dev', freight: freight.name });
    expect((await promotionEnded(backend, 'fs', toDev.name)).phase).toBe('Succeeded');
    const held = (await backend.getProject('fs')).freight[freight.name]!;
    expect(held.currentlyIn['dev']).toBeDefined();

    const toProd = await backend.promote('fs', { stage: 'prod', freight: 'first-fox' });
    const done = await promotionEnded(backend, 'fs', toProd.name);
    expect(done.phase).toBe('Succeeded');
    const before = done.state?.['before'];
    expect(before).toMatchObject({
      inDev: true,
      inProd: false,
      unknown: null,
      region: 'eu-west-1',
      missing: {},
    });
    const status = before?.['status'] as Record<string, unknown>;
    expect(status['currentlyIn']).toEqual({ dev: { since: held.currentlyIn['dev']!.since } });
    expect(status['metadata']).toEqual({ ticket: 'OPS-1' });
    expect(Object.keys(status).sort()).toEqual(['approvedFor', 'currentlyIn', 'metadata', 'verifiedIn']);
    // The promotion's own set-metadata shows at once, before the project applies it.
    expect(done.state?.['after']).toEqual({ metadata: { ticket: 'OPS-1', owner: 'bob' } });
    expect((await backend.getProject('fs')).freight[freight.name]?.metadata).toEqual({ ticket: 'OPS-1', owner: 'bob' });

    // History size: the status came through a query, not through the step activities' inputs.
    const history = await harness.client.workflow.getHandle(promotionWorkflowId('fs', toProd.name)).fetchHistory();
    const inputs = (history.events ?? [])
      .flatMap((e) => e.activityTaskScheduledEventAttributes?.input?.payloads ?? [])
      .map((p) => Buffer.from(p.data ?? new Uint8Array()).toString('utf8'));
    const first = inputs.find((i) => i.includes('"alias":"before"') && i.includes('"uses":"compose-output"'));
    expect(first).toBeDefined();
    expect(first).not.toContain(held.currentlyIn['dev']!.since);
  });
});
