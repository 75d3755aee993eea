/**
 * Conformance: Kargo-style promotion templates, parsed from YAML as users write them, planned
 * (tasks inflated) and run end to end through the runStep activity, step after step the way the
 * promotion workflow sequences them (statuses, outputs, task outputs, effects), against real
 * repositories and real files.
 */
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createActivities } from '../../activities/index.js';
import { parseManifests } from '../../core/manifests/index.js';
import type { ClusterPromotionTask, PromotionTask, Stage } from '../../core/model.js';
import { applyEffectsToSnapshot, type MetadataSnapshot, type StepEffect } from '../../core/project/effects.js';
import { recordStepOutput } from '../../core/promotion/outputs.js';
import { planPromotion } from '../../core/promotion/plan.js';
import { finalPhase } from '../../core/promotion/step-outcome.js';
import type { StepStatus } from '../../core/promotion/types.js';
import { createOrigin, Disposer, git, originFile, originLog, tempDir } from '../support/git-repos.js';
import { SecretStore } from '../support/secret-store.js';
import { aFreightReference, aRunStepInput, newGitService } from './harness.js';

const disposer = new Disposer();
afterEach(() => disposer.dispose());

interface StepRun {
  alias: string;
  status: StepStatus;
  message?: string;
}

interface PromotionRun {
  steps: StepRun[];
  outputs: Record<string, Record<string, unknown>>;
  effects: StepEffect[];
  phase: string;
}

/** Parses `yaml`, plans the promotion into stage `stage` and runs every step through runStep. */
async function promote(yaml: string, stage = 'dev'): Promise<PromotionRun> {
  const parsed = parseManifests(yaml, 'pipeline.yaml');
  expect(parsed.issues).toEqual([]);
  const stages = parsed.manifests.filter((m): m is Stage => m.kind === 'Stage');
  const plan = planPromotion(stages.find((s) => s.metadata.name === stage)!, {
    promotionTasks: parsed.manifests.filter((m): m is PromotionTask => m.kind === 'PromotionTask'),
    clusterTasks: parsed.manifests.filter((m): m is ClusterPromotionTask => m.kind === 'ClusterPromotionTask'),
  });
  const dataDir = await tempDir(disposer, 'shunt-data-');
  const activities = createActivities({ dataDir, workerQueue: 'w1', credentials: new SecretStore({ hook: { token: 's3cr3t-token-value' } }), git: newGitService(dataDir) });
  const env = new MockActivityEnvironment({ activityType: 'runStep' });
  const { workspaceKey } = (await env.run(activities.prepareWorkspace, { promotion: `${stage}.p1` })) as { workspaceKey: string };
  const outputs: Record<string, Record<string, unknown>> = {};
  const effects: StepEffect[] = [];
  const metadata: MetadataSnapshot = { freight: {}, stages: {} };
  const steps: (StepRun & { continueOnError: boolean })[] = [];
  for (const step of plan.steps) {
    const input = aRunStepInput(workspaceKey, step, {
      stage,
      promotion: `${stage}.p1`,
      actor: 'alice',
      promotionVars: plan.vars,
      outputs,
      statuses: steps.map((s) => ({ alias: s.alias, status: s.status, continueOnError: s.continueOnError })),
      metadata,
    });
    const record: StepRun & { continueOnError: boolean } = { alias: step.alias, status: 'Running', continueOnError: step.continueOnError };
    try {
      const outcome = (await env.run(activities.runStep, input)) as Awaited<ReturnType<typeof activities.runStep>>;
      if (outcome.output) recordStepOutput(outputs, step, outcome.output);
      if (outcome.status !== 'Running' && outcome.effects) {
        effects.push(...outcome.effects);
        applyEffectsToSnapshot(metadata, outcome.effects);
      }
      record.status = outcome.status;
      if (outcome.message) record.message = outcome.message;
    } catch (err) {
      const failure = err as ApplicationFailure;
      expect(failure).toBeInstanceOf(ApplicationFailure);
      record.status = failure.type === 'StepFailed' ? 'Failed' : 'Errored';
      record.message = failure.message;
    }
    steps.push(record);
  }
  await env.run(activities.releaseWorkspace, { workspaceKey });
  return {
    steps: steps.map(({ continueOnError: _c, ...s }) => s),
    outputs,
    effects,
    phase: finalPhase(steps.map((s) => ({ status: s.status, continueOnError: s.continueOnError }))),
  };
}

// YAML text on purpose: these templates are parsed as users write them (see the header).
const HEADER = (name: string, kind = 'Stage'): string => `---
apiVersion: kargo.akuity.io/v1alpha1
kind: ${kind}
metadata: {name: ${name}, namespace: guestbook}
`;
const REQUESTED = `  requestedFreight:
    - origin: {kind: Warehouse, name: guestbook}
      sources: {direct: true}
`;

const BASE_FILES = {
  'base/kustomization.yaml': 'resources:\n  - deployment.yaml\nimages:\n  - name: ghcr.io/example/guestbook\n    newTag: 1.0.0\n',
  'base/deployment.yaml':
    'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: guestbook\nspec:\n  template:\n    spec:\n      containers:\n        - name: guestbook\n          image: ghcr.io/example/guestbook:1.0.0\n',
  'stages/dev/kustomization.yaml': 'namespace: dev\nresources:\n  - ../../base\n',
};

describe('conformance: Kargo promotion templates', () => {
  it('the quickstart "rendered branches" template: clone two branches, set image, render, commit, push', async () => {
    const origin = await createOrigin(disposer, { files: BASE_FILES });
    const yaml = `${HEADER('dev')}spec:
${REQUESTED}  promotionTemplate:
    spec:
      vars:
        - name: gitRepo
          value: ${origin.url}
        - name: imageRepo
          value: ghcr.io/example/guestbook
      steps:
        - uses: git-clone
          config:
            repoURL: \${{ vars.gitRepo }}
            checkout:
              - branch: main
                path: ./src
              - branch: stage/\${{ ctx.stage }}
                create: true
                path: ./out
        - uses: git-clear
          config:
            path: ./out
        - uses: kustomize-set-image
          as: update
          config:
            path: ./src/base
            images:
              - image: \${{ vars.imageRepo }}
                tag: \${{ imageFrom(vars.imageRepo).Tag }}
        - uses: kustomize-build
          config:
            path: ./src/stages/\${{ ctx.stage }}
            outPath: ./out
        - uses: git-commit
          as: commit
          config:
            path: ./out
            message: \${{ outputs.update.commitMessage }}
        - uses: git-push
          as: push
          config:
            path: ./out
`;
    const run = await promote(yaml);
    expect(run.steps.map((s) => `${s.alias}:${s.status}`)).toEqual([
      'step-1:Succeeded',
      'step-2:Succeeded',
      'update:Succeeded',
      'step-4:Succeeded',
      'commit:Succeeded',
      'push:Succeeded',
    ]);
    expect(run.phase).toBe('Succeeded');
    const rendered = await originFile(origin, 'dev-deployment-guestbook.yaml', 'stage/dev');
    expect(rendered).toContain('image: ghcr.io/example/guestbook:1.2.3');
    expect(rendered).toContain('namespace: dev');
    expect((await originLog(origin, 'stage/dev'))[0]).toBe('Updated ./src/base to use new image');
    expect(run.outputs['push']).toEqual({ branch: 'stage/dev', commit: (await git(origin.dir, ['rev-parse', 'stage/dev'])).trim() });
    // main itself is untouched: the image was set in the workspace only, to render.
    expect(await originLog(origin)).toEqual(['seed']);
  });

  it('a PromotionTask with required and default vars returns values through compose-output', async () => {
    const yaml = `${HEADER('bump-values', 'PromotionTask')}spec:
  vars:
    - name: file
    - name: key
      value: image.tag
  steps:
    - uses: yaml-update
      as: edit
      config:
        path: \${{ vars.file }}
        updates:
          - key: \${{ vars.key }}
            value: \${{ imageFrom('ghcr.io/example/guestbook').Tag }}
    - uses: yaml-parse
      as: read
      config:
        path: \${{ vars.file }}
        outputs:
          - name: tag
            fromExpression: image.tag
    - uses: compose-output
      as: result
      config:
        tag: \${{ task.outputs.read.tag }}
        message: \${{ task.outputs.edit.commitMessage }}
${HEADER('dev')}spec:
${REQUESTED}  promotionTemplate:
    spec:
      steps:
        - uses: file-write
          config:
            path: values.yaml
            contents: "image:\\n  tag: 0.0.1 # bumped\\n"
        - task: {name: bump-values}
          as: bump
          vars:
            - name: file
              value: values.yaml
        - uses: compose-output
          as: summary
          config:
            tag: \${{ outputs.bump.tag }}
            raw: \${{ outputs['bump::read'].tag }}
            quoted: \${{ quote(outputs.bump.tag) }}
`;
    const run = await promote(yaml);
    expect(run.steps.map((s) => `${s.alias}:${s.status}`)).toEqual([
      'step-1:Succeeded',
      'bump::edit:Succeeded',
      'bump::read:Succeeded',
      'bump::result:Succeeded',
      'summary:Succeeded',
    ]);
    expect(run.outputs['bump']).toEqual({ tag: '1.2.3', message: 'Updated values.yaml\n\n- image.tag: 1.2.3' });
    expect(run.outputs['summary']).toEqual({ tag: '1.2.3', raw: '1.2.3', quoted: '1.2.3' });
  });

  it('conditions: continueOnError, success()/failure()/always(), status() and the older steps[...] spelling', async () => {
    const yaml = `${HEADER('dev')}spec:
${REQUESTED}  promotionTemplate:
    spec:
      steps:
        - uses: fail
          as: soft
          continueOnError: true
          config: {message: allowed to fail}
        - uses: compose-output
          as: after-soft
          config: {ok: '\${{ success() }}'}
        - uses: compose-output
          as: saw-soft
          if: \${{ status('soft') == 'Failed' && steps['soft'].status == 'Failure' }}
          config: {seen: true}
        - uses: fail
          as: hard
          config: {message: 'quality gate: \${{ ctx.targetFreight.alias }} failed'}
        - uses: compose-output
          as: skipped-by-default
          config: {ran: true}
        - uses: compose-output
          as: on-failure
          if: \${{ failure() }}
          config: {ran: true}
        - uses: compose-output
          as: always
          if: \${{ always() }}
          config: {hard: "\${{ status('hard') }}"}
`;
    const run = await promote(yaml);
    expect(run.steps).toEqual([
      { alias: 'soft', status: 'Failed', message: 'allowed to fail' },
      { alias: 'after-soft', status: 'Succeeded' },
      { alias: 'saw-soft', status: 'Succeeded' },
      { alias: 'hard', status: 'Failed', message: 'quality gate: wonky-wombat failed' },
      { alias: 'skipped-by-default', status: 'Skipped' },
      { alias: 'on-failure', status: 'Succeeded' },
      { alias: 'always', status: 'Succeeded' },
    ]);
    expect(run.outputs['after-soft']).toEqual({ ok: true });
    expect(run.outputs['always']).toEqual({ hard: 'Failed' });
    expect(run.phase).toBe('Failed');
  });

  it('set-metadata is seen by later steps, set-freight-alias is an effect; secrets stay out of outputs', async () => {
    const yaml = `${HEADER('dev')}spec:
${REQUESTED}  promotionTemplate:
    spec:
      steps:
        - uses: set-metadata
          config:
            updates:
              - kind: Stage
                name: \${{ ctx.stage }}
                values: {lastAlias: '\${{ ctx.targetFreight.alias }}'}
              - kind: Freight
                name: \${{ ctx.targetFreight.name }}
                values: {qa: {passed: true}}
        - uses: set-freight-alias
          config: {name: '\${{ ctx.targetFreight.name }}', alias: dev-approved}
        - uses: compose-output
          as: read
          config:
            last: \${{ stageMetadata(ctx.stage).lastAlias }}
            qa: \${{ freightMetadata(ctx.targetFreight.name).qa.passed }}
            leaked: \${{ secret('hook').token }}
            legacy: \${{ secrets.hook.token }}
`;
    const run = await promote(yaml);
    expect(run.phase).toBe('Succeeded');
    expect(run.effects).toEqual([
      { kind: 'set-metadata', target: 'Stage', name: 'dev', values: { lastAlias: 'wonky-wombat' } },
      { kind: 'set-metadata', target: 'Freight', name: aFreightReference().name, values: { qa: { passed: true } } },
      { kind: 'set-freight-alias', freight: aFreightReference().name, alias: 'dev-approved' },
    ]);
    expect(run.outputs['read']).toEqual({ last: 'wonky-wombat', qa: true, leaked: '***', legacy: '***' });
  });

  it('a bad expression errors the step, naming the step, the field and the position', async () => {
    const yaml = `${HEADER('dev')}spec:
${REQUESTED}  promotionTemplate:
    spec:
      steps:
        - uses: compose-output
          as: broken
          config: {x: '\${{ 1 + }}'}
`;
    const run = await promote(yaml);
    expect(run.steps[0]?.status).toBe('Errored');
    expect(run.steps[0]?.message).toBe("step \"broken\": config.x: unexpected end of expression in ` 1 + ` (position 5)");
  });
});

