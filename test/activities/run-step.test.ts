import * as fs from 'node:fs';
import * as path from 'node:path';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import type { ProjectCredentials } from '../../activities/adapters/credentials.js';
import { toApplicationFailure } from '../../activities/failure.js';
import { createActivities, workspaceKeyFor, type Activities, type RunStepInput, type RunStepsOutcome } from '../../activities/index.js';
import { stepFailureData } from '../../activities/run-steps.js';
import { getStep, registeredStepKinds, STEP_REGISTRY } from '../../activities/steps/registry.js';
import { DomainError } from '../../core/errors.js';
import { STEP_KIND_DEFAULTS } from '../../core/promotion/step-kinds.js';
import type { PlannedStep } from '../../core/promotion/types.js';
import { createOrigin, Disposer, originFile, originLog, SEED_VALUES, tempDir } from '../support/git-repos.js';
import { eventually } from '../support/poll.js';
import { SecretStore } from '../support/secret-store.js';
import { aRunStepInput, newGitService } from './harness.js';

const disposer = new Disposer();

/** env.run does not infer the result type from the activity; this does. */
function call<I, O>(env: MockActivityEnvironment, fn: (input: I) => Promise<O>, input: I): Promise<O> {
  return env.run(fn, input) as Promise<O>;
}
afterEach(() => disposer.dispose());

interface Setup {
  activities: Activities;
  env: MockActivityEnvironment;
  workRoot: string;
  dataDir: string;
  workspaceKey: string;
  input(step: Partial<PlannedStep> & { uses: string }, extra?: Partial<RunStepInput>): RunStepInput;
  run(input: RunStepInput): Promise<unknown>;
}

async function setup(credentials: ProjectCredentials = new SecretStore()): Promise<Setup> {
  const dataDir = await tempDir(disposer, 'shunt-data-');
  const activities = createActivities({
    dataDir,
    workerQueue: 'shunt-worker-1',
    credentials,
    git: newGitService(dataDir),
  });
  const env = new MockActivityEnvironment({ activityType: 'runStep' });
  const { workspaceKey } = await call(env, activities.prepareWorkspace, { promotion: 'dev.promo-1' });
  const input = (step: Partial<PlannedStep> & { uses: string }, extra: Partial<RunStepInput> = {}): RunStepInput =>
    aRunStepInput(workspaceKey, step, { actor: 'alice', ...extra });
  return {
    activities,
    env,
    dataDir,
    workRoot: path.join(dataDir, 'work'),
    workspaceKey,
    input,
    run: (i) => env.run(activities.runStep, i),
  };
}

/** The seed values file, plus `extra` keys for updates to set (yaml-update never creates keys). */
async function placeValues(s: Setup, extra = ''): Promise<string> {
  const file = path.join(s.workRoot, s.workspaceKey, 'values.yaml');
  await fs.promises.writeFile(file, SEED_VALUES + extra);
  return file;
}

async function failureOf(p: Promise<unknown>): Promise<ApplicationFailure> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ApplicationFailure);
  return err as ApplicationFailure;
}

describe('step registry', () => {
  it('registers exactly the kinds of STEP_KIND_DEFAULTS (where their defaults are declared, once)', () => {
    expect(registeredStepKinds()).toEqual(Object.keys(STEP_KIND_DEFAULTS).sort());
    for (const kind of Object.keys(STEP_KIND_DEFAULTS)) {
      const step = getStep(kind);
      expect(step.kind).toBe(kind);
      expect(step).not.toHaveProperty('defaults');
    }
  });

  it('has one file per kind in activities/steps, named after the kind', () => {
    const files = fs
      .readdirSync(path.resolve('activities/steps'))
      .filter((f) => f.endsWith('.ts') && !['step.ts', 'registry.ts'].includes(f))
      .map((f) => f.replace(/\.ts$/, ''))
      .sort();
    expect(files).toEqual(Object.keys(STEP_REGISTRY).sort());
  });
});

describe('runStep', () => {
  it('fails an unknown step kind as InvalidStepConfig, not retryable', async () => {
    const s = await setup();
    const f = await failureOf(s.run(s.input({ uses: 'jira' })));
    expect(f.type).toBe('InvalidStepConfig');
    expect(f.nonRetryable).toBe(true);
    expect(f.message).toBe('step kind "jira" is not registered');
  });

  it('skips a step whose if is false, and runs nothing', async () => {
    const s = await setup();
    const file = await placeValues(s);
    const res = await s.run(
      s.input({
        uses: 'yaml-update',
        if: '${{ ctx.stage == "prod" }}',
        config: { path: 'values.yaml', updates: [{ key: 'replicaCount', value: 9 }] },
      }),
    );
    expect(res).toEqual({ status: 'Skipped' });
    expect(fs.readFileSync(file, 'utf8')).toBe(SEED_VALUES);
  });

  it('without if, skips after an earlier failure unless that step may fail; always() runs anyway', async () => {
    const s = await setup();
    await placeValues(s);
    const step = { uses: 'yaml-update', config: { path: 'values.yaml', updates: [{ key: 'replicaCount', value: 1 }] } };
    const failed = [{ alias: 'step-0', status: 'Errored', continueOnError: false }];
    const tolerated = [{ alias: 'step-0', status: 'Failed', continueOnError: true }];

    expect(await s.run(s.input(step, { statuses: failed }))).toEqual({ status: 'Skipped' });
    expect(await s.run(s.input(step, { statuses: tolerated }))).toMatchObject({ status: 'Succeeded' });
    expect(await s.run(s.input({ ...step, if: '${{ always() }}' }, { statuses: failed }))).toMatchObject({
      status: 'Succeeded',
    });
    expect(await s.run(s.input({ ...step, if: "${{ status('step-0') == 'Errored' }}" }, { statuses: failed }))).toMatchObject({
      status: 'Succeeded',
    });
  });

  // Kargo pkg/expressions/function/functions_test.go Test_getStatus: inside a task, status()
  // sees only the task's own steps; a top-level step sees only top-level steps.
  it("scopes status() to the step's task", async () => {
    const s = await setup();
    await placeValues(s);
    const step = { uses: 'yaml-update', config: { path: 'values.yaml', updates: [{ key: 'replicaCount', value: 1 }] } };
    const statuses = [
      { alias: 'clone', status: 'Succeeded', continueOnError: false },
      { alias: 'task-1::clone', status: 'Skipped', continueOnError: false },
      { alias: 'push', status: 'Succeeded', continueOnError: false },
    ];
    const inTask = { ...step, alias: 'task-1::update', taskAlias: 'task-1' };
    expect(await s.run(s.input({ ...inTask, if: "${{ status('clone') == 'Skipped' }}" }, { statuses }))).toMatchObject({ status: 'Succeeded' });
    expect(await s.run(s.input({ ...inTask, if: "${{ status('push') == '' }}" }, { statuses }))).toMatchObject({ status: 'Succeeded' });
    expect(await s.run(s.input({ ...step, if: "${{ status('clone') == 'Succeeded' }}" }, { statuses }))).toMatchObject({ status: 'Succeeded' });
    expect(await s.run(s.input({ ...step, if: "${{ status('task-1::clone') == '' }}" }, { statuses }))).toMatchObject({ status: 'Succeeded' });
  });

  // Kargo pkg/promotion/evaluator.go BuildCtxMap: `target` is set only for a Promotion to a
  // Target, which only Kargo Enterprise creates (OSS errors every PromotionRequest); otherwise
  // it is an undefined name: nil, and reading a field of it fails.
  it('has no target variable: target is nil, target.params fails', async () => {
    const s = await setup();
    const file = await placeValues(s);
    const step = (value: string) => ({ uses: 'yaml-update', config: { path: 'values.yaml', updates: [{ key: 'replicaCount', value }] } });
    expect(await s.run(s.input(step("${{ target?.params?.replicas ?? 4 }}")))).toMatchObject({ status: 'Succeeded' });
    expect(fs.readFileSync(file, 'utf8')).toContain('replicaCount: 4');
    const f = await failureOf(s.run(s.input(step('${{ target.params.replicas }}'))));
    expect(f.type).toBe('InvalidExpression');
    expect(f.message).toContain('cannot read field params of nil');
  });

  it('requires if to be a boolean', async () => {
    const s = await setup();
    const f = await failureOf(s.run(s.input({ uses: 'yaml-update', if: "${{ 'yes' }}" })));
    expect(f.type).toBe('InvalidExpression');
    expect(f.nonRetryable).toBe(true);
    expect(f.message).toBe('step "step-1": if: must evaluate to a boolean, got string');
  });

  it('renders config from ctx, vars, step vars, outputs, task outputs and freight', async () => {
    const s = await setup();
    const file = await placeValues(s, 'meta:\n  fromTask: x\n  stage: x\n  image: x\n');
    const res = await s.run(
      s.input(
        {
          alias: 'task-1::update',
          taskAlias: 'task-1',
          uses: 'yaml-update',
          vars: [{ name: 'key', value: 'image.tag' }, { name: 'full', value: '${{ vars.repo }}:${{ vars.tag }}' }],
          config: {
            path: '${{ vars.file }}',
            updates: [
              { key: '${{ vars.key }}', value: '${{ freight.images[0].tag }}' },
              { key: 'image.repository', value: '${{ vars.full }}' },
              { key: 'replicaCount', value: '${{ outputs.scale.replicas }}' },
              { key: 'meta.fromTask', value: '${{ task.outputs.prev.note }}' },
              { key: 'meta.stage', value: '${{ ctx.stage }}/${{ ctx.targetFreight.alias }}/${{ ctx.meta.promotion.actor }}' },
              { key: 'meta.image', value: "${{ imageFrom('ghcr.io/example/guestbook').Digest }}" },
            ],
          },
        },
        {
          promotionVars: [
            { name: 'file', value: 'values.yaml' },
            { name: 'repo', value: 'ghcr.io/example/${{ ctx.project }}' },
            { name: 'tag', value: '${{ quote(2) }}' },
          ],
          outputs: { scale: { replicas: 4 }, 'task-1::prev': { note: 'from the task' } },
        },
      ),
    );

    expect(res).toMatchObject({ status: 'Succeeded' });
    const text = fs.readFileSync(file, 'utf8');
    expect(text).toContain("tag: '1.2.3'");
    expect(text).toContain('repository: ghcr.io/example/guestbook:2');
    expect(text).toContain('replicaCount: 4');
    expect(text).toContain('fromTask: from the task');
    expect(text).toContain('stage: dev/wonky-wombat/alice');
    expect(text).toContain('image: sha256:1111');
  });

  it('reports an invalid config with every issue and its path', async () => {
    const s = await setup();
    const f = await failureOf(
      s.run(
        s.input({
          alias: 'set-image',
          uses: 'kustomize-set-image',
          config: { images: [{ image: 'x', tag: '${{ 5 }}' }], extra: true },
        }),
      ),
    );
    expect(f.type).toBe('InvalidStepConfig');
    expect(f.nonRetryable).toBe(true);
    expect(f.message).toContain('step "set-image" (kustomize-set-image): invalid config: ');
    expect(f.message).toContain('config.images[0].tag: expected string, received number');
    expect(f.message).toContain('config.path: required');
    expect(f.message).toContain('config: Unrecognized key: "extra"');
  });

  it('reports expression errors with the step, the config path and the position', async () => {
    const s = await setup();
    const f = await failureOf(
      s.run(
        s.input({
          alias: 'set-image',
          uses: 'kustomize-set-image',
          config: { path: '.', images: [{ image: 'x', tag: '${{ vars.nope.deeper + }}' }] },
        }),
      ),
    );
    expect(f.type).toBe('InvalidExpression');
    expect(f.nonRetryable).toBe(true);
    expect(f.message).toMatch(/^step "set-image": config\.images\[0\]\.tag: .+ \(position \d+\)$/);
  });

  it('reads secrets through secret() and the legacy secrets variable, and keeps them out of outputs', async () => {
    const creds = new SecretStore({ slack: { token: 'xoxb-very-secret' }, db: { password: 'hunter2-long' } });
    const s = await setup(creds);
    const file = await placeValues(s, 'slack:\n  token: x\ndb:\n  password: x\n  computed: x\n');
    const res = (await s.run(
      s.input({
        uses: 'yaml-update',
        config: {
          path: 'values.yaml',
          updates: [
            { key: 'slack.token', value: "${{ secret('slack').token }}" },
            { key: 'db.password', value: '${{ secrets.db.password }}' },
            { key: 'db.computed', value: "${{ secret('d' + 'b').password }}" },
          ],
        },
      }),
    )) as { output: { commitMessage: string } };

    const text = fs.readFileSync(file, 'utf8');
    expect(text).toContain('token: xoxb-very-secret');
    expect(text).toContain('password: hunter2-long');
    expect(text).toContain('computed: hunter2-long');
    expect(res.output.commitMessage).not.toContain('xoxb-very-secret');
    expect(res.output.commitMessage).not.toContain('hunter2-long');
    expect(res.output.commitMessage).toContain('- slack.token: ***');
  });

  it('fails with WorkspaceGone (the workflow starts the steps again elsewhere) when the workspace is not on this worker', async () => {
    const s = await setup();
    const f = await failureOf(
      s.run(s.input({ uses: 'yaml-update', config: { path: 'v.yaml', updates: [{ key: 'a', value: 1 }] } }, { workspaceKey: 'gone' })),
    );
    expect(f.type).toBe('WorkspaceGone');
    expect(f.nonRetryable).toBe(true);
    expect(f.message).toContain('must start again from its first step');
  });

  it('fails with WorkerStopping (the workflow starts the steps again elsewhere) when its worker shuts down mid-step, and with the step\'s own error on any other cancellation', async () => {
    const origin = await createOrigin(disposer);
    const clone = { uses: 'git-clone', config: { repoURL: origin.url, checkout: [{ branch: 'main', path: './src' }] } };
    const s = await setup();
    s.env.cancel('WORKER_SHUTDOWN');
    const stopping = await failureOf(s.run(s.input(clone)));
    expect([stopping.type, stopping.nonRetryable, stopping.message]).toEqual(['WorkerStopping', true, 'the worker running the step is shutting down']);

    const other = await setup();
    other.env.cancel('CANCELLED');
    const cancelled = await other.run(other.input(clone)).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(cancelled).toBeInstanceOf(Error);
    expect((cancelled as { type?: string }).type).not.toBe('WorkerStopping');
  });

  it('runs a whole promotion twice: one commit, pushed once, workspace released', async () => {
    const origin = await createOrigin(disposer);
    const s = await setup();
    const steps: PlannedStep[] = [
      {
        alias: 'clone',
        uses: 'git-clone',
        continueOnError: false,
        retry: {},
        vars: [],
        config: { repoURL: origin.url, checkout: [{ branch: 'main', path: './src' }] },
      },
      {
        alias: 'set-image',
        uses: 'kustomize-set-image',
        continueOnError: false,
        retry: {},
        vars: [],
        config: { path: './src/stages/${{ ctx.stage }}', images: [{ image: 'ghcr.io/example/guestbook' }] },
      },
      {
        alias: 'commit',
        uses: 'git-commit',
        continueOnError: false,
        retry: {},
        vars: [],
        config: { path: './src', message: '${{ outputs["set-image"].commitMessage }}' },
      },
      { alias: 'push', uses: 'git-push', continueOnError: false, retry: {}, vars: [], config: { path: './src' } },
    ];
    const beats: unknown[] = [];
    s.env.on('heartbeat', (d: unknown) => beats.push(d));

    const runAll = async (): Promise<Record<string, Record<string, unknown>>> => {
      const outputs: Record<string, Record<string, unknown>> = {};
      const statuses: RunStepInput['statuses'] = [];
      for (const step of steps) {
        const res = (await s.run(s.input(step, { outputs: { ...outputs }, statuses: [...statuses] }))) as {
          status: string;
          output?: Record<string, unknown>;
        };
        expect(res.status).toBe('Succeeded');
        if (res.output) outputs[step.alias] = res.output;
        statuses.push({ alias: step.alias, status: res.status, continueOnError: false });
      }
      return outputs;
    };

    const first = await runAll();
    const second = await runAll();

    expect(await originLog(origin)).toEqual(['Updated ./src/stages/dev to use new images', 'seed']);
    expect(await originFile(origin, 'stages/dev/kustomization.yaml')).toContain('newTag: "1.2.3"   # pinned by promotion');
    expect(second['push']).toEqual(first['push']);
    expect(first['commit']?.['commit']).toBe(first['push']?.['commit']);
    expect(beats.length).toBeGreaterThan(0);

    expect(await s.env.run(s.activities.workspaceExists, { workspaceKey: s.workspaceKey })).toBe(true);
    await s.env.run(s.activities.releaseWorkspace, { workspaceKey: s.workspaceKey });
    await s.env.run(s.activities.releaseWorkspace, { workspaceKey: s.workspaceKey });
    expect(await s.env.run(s.activities.workspaceExists, { workspaceKey: s.workspaceKey })).toBe(false);
  });
});

describe('runSteps', () => {
  const planned = (alias: string, uses: string, config: Record<string, unknown>): PlannedStep => ({ alias, uses, continueOnError: false, retry: {}, vars: [], config });
  const runSteps = (s: Setup, steps: PlannedStep[], more: { releaseWhenDone?: boolean } = {}): Promise<RunStepsOutcome> => {
    const { step: _first, ...context } = s.input(steps[0]!);
    return call(s.env, s.activities.runSteps, { ...context, steps, ...more });
  };
  const workspaceExists = (s: Setup): Promise<boolean> => s.env.run(s.activities.workspaceExists, { workspaceKey: s.workspaceKey });

  it('runs a whole promotion in one activity, each step seeing the outputs and statuses of those before it (real git)', async () => {
    const origin = await createOrigin(disposer);
    const s = await setup();
    const outcome = await runSteps(s, [
      planned('clone', 'git-clone', { repoURL: origin.url, checkout: [{ branch: 'main', path: './src' }] }),
      planned('set-image', 'kustomize-set-image', { path: './src/stages/${{ ctx.stage }}', images: [{ image: 'ghcr.io/example/guestbook' }] }),
      planned('commit', 'git-commit', { path: './src', message: '${{ outputs["set-image"].commitMessage }}' }),
      planned('push', 'git-push', { path: './src' }),
    ]);
    expect(outcome.failed).toBeUndefined();
    expect(outcome.ran.map((r) => r.outcome.status)).toEqual(['Succeeded', 'Succeeded', 'Succeeded', 'Succeeded']);
    expect(outcome.ran.every((r) => Date.parse(r.startedAt) <= Date.parse(r.finishedAt))).toBe(true);
    expect(await originLog(origin)).toEqual(['Updated ./src/stages/dev to use new images', 'seed']);
    expect(outcome.ran[2]!.outcome.output?.['commit']).toBe(outcome.ran[3]!.outcome.output?.['commit']);
  });

  it("returns a later step's error with what ran before it, and stops there; throws the first step's, as runStep would", async () => {
    const s = await setup();
    await placeValues(s);
    const update = planned('update', 'yaml-update', { path: 'values.yaml', updates: [{ key: 'image.tag', value: '2.0.0' }] });
    const broken = planned('broken', 'yaml-update', { path: 42 });
    const never = planned('never', 'yaml-update', { path: 'values.yaml', updates: [] });

    const outcome = await runSteps(s, [update, broken, never]);
    expect(outcome.ran.map((r) => [r.outcome.status])).toEqual([['Succeeded']]);
    expect(outcome.failed?.failure).toEqual({ type: 'InvalidStepConfig', retryable: false, message: expect.stringContaining('step "broken" (yaml-update): invalid config') });

    const thrown = await failureOf(runSteps(s, [broken, update]));
    expect([thrown.type, thrown.nonRetryable]).toEqual(['InvalidStepConfig', true]);
  });

  it('releases the workspace after the last steps when told to and every one of them is done; keeps it after a failure or without being told', async () => {
    const update = planned('update', 'yaml-update', { path: 'values.yaml', updates: [{ key: 'image.tag', value: '2.0.0' }] });
    const broken = planned('broken', 'yaml-update', { path: 42 });

    const told = await setup();
    await placeValues(told);
    const done = await runSteps(told, [update, update], { releaseWhenDone: true });
    expect(done.released).toBe(true);
    expect(done.ran.map((r) => r.outcome.status)).toEqual(['Succeeded', 'Succeeded']);
    await eventually(async () => ((await workspaceExists(told)) ? undefined : true), 'the released workspace to be gone', 10_000);

    const failed = await setup();
    await placeValues(failed);
    const stopped = await runSteps(failed, [update, broken], { releaseWhenDone: true });
    expect([stopped.released, stopped.failed?.failure.type]).toEqual([undefined, 'InvalidStepConfig']);

    const untold = await setup();
    await placeValues(untold);
    expect((await runSteps(untold, [update, update])).released).toBeUndefined();
    // Nothing releases them later either.
    await new Promise((r) => setTimeout(r, 200));
    expect([await workspaceExists(failed), await workspaceExists(untold)]).toEqual([true, true]);
  });

  it('gives no data for a worker shutting down or a cancellation: those end the whole activity', () => {
    expect(stepFailureData(ApplicationFailure.create({ type: 'WorkerStopping', message: 'stopping', nonRetryable: true }))).toBeUndefined();
    expect(stepFailureData(new CancelledFailure('CANCELLED'))).toBeUndefined();
    expect(stepFailureData(ApplicationFailure.create({ type: 'Unavailable', message: 'down', nonRetryable: true, details: [{ retryable: true }] }))).toEqual({
      type: 'Unavailable',
      retryable: true,
      message: 'down',
    });
  });
});

describe('activities', () => {
  it('prepareWorkspace answers with a stable key and this worker’s queue', async () => {
    const dataDir = await tempDir(disposer);
    const activities = createActivities({ dataDir, workerQueue: 'worker-7', credentials: new SecretStore() });
    const env = new MockActivityEnvironment();
    const a = await call(env, activities.prepareWorkspace, { promotion: 'Prod.Promo/1' });
    const b = await call(env, activities.prepareWorkspace, { promotion: 'Prod.Promo/1' });
    expect(a).toEqual(b);
    expect(a.taskQueue).toBe('worker-7');
    expect(a.workspaceKey).toBe(workspaceKeyFor('Prod.Promo/1'));
    expect(a.workspaceKey).toMatch(/^prod\.promo-1-[0-9a-f]{10}$/);
    expect(fs.statSync(path.join(dataDir, 'work', a.workspaceKey)).isDirectory()).toBe(true);
  });
});

describe('toApplicationFailure', () => {
  it.each([
    ['StepFailed', true],
    ['InvalidStepConfig', true],
    ['PathEscape', true],
    ['BudgetExceeded', true],
    ['PayloadTooLarge', true],
    ['Unavailable', false],
    ['Internal', false],
  ] as const)('maps DomainError %s (nonRetryable=%s)', (code, nonRetryable) => {
    const f = toApplicationFailure(new DomainError(code, 'boom', ['detail 1']));
    expect(f).toBeInstanceOf(ApplicationFailure);
    expect((f as ApplicationFailure).type).toBe(code);
    expect((f as ApplicationFailure).nonRetryable).toBe(nonRetryable);
    expect(f.message).toBe('boom');
    expect((f as ApplicationFailure).details).toEqual(['detail 1']);
  });

  it('keeps Temporal failures and makes plain errors retryable Internal failures', () => {
    const af = ApplicationFailure.nonRetryable('x', 'Custom');
    expect(toApplicationFailure(af)).toBe(af);
    const plain = toApplicationFailure(new Error('socket hang up')) as ApplicationFailure;
    expect(plain.type).toBe('Internal');
    expect(plain.nonRetryable).toBe(false);
    expect(plain.message).toBe('socket hang up');
  });
});
