import type { ClusterPromotionTask, PromotionStepSpec, PromotionTask, Stage } from '../../../core/model.js';
import { planPromotion } from '../../../core/promotion/plan.js';

const API = 'kargo.akuity.io/v1alpha1';

function aStage(steps: PromotionStepSpec[] | undefined, extra: Partial<Stage['spec']> = {}, templateVars?: Stage['spec']['vars']): Stage {
  return {
    apiVersion: API,
    kind: 'Stage',
    metadata: { name: 'prod', namespace: 'demo' },
    spec: {
      requestedFreight: [{ origin: { kind: 'Warehouse', name: 'app' }, sources: { direct: true } }],
      ...(steps !== undefined ? { promotionTemplate: { spec: { steps, ...(templateVars ? { vars: templateVars } : {}) } } } : {}),
      ...extra,
    },
  };
}

function aTask(name: string, spec: PromotionTask['spec']): PromotionTask {
  return { apiVersion: API, kind: 'PromotionTask', metadata: { name, namespace: 'demo' }, spec };
}

const deploy = aTask('deploy', {
  vars: [{ name: 'repoURL' }, { name: 'branch', value: 'main' }, { name: 'path', value: 'env' }],
  steps: [
    { uses: 'git-clone', config: { repoURL: '${{ vars.repoURL }}' } },
    { uses: 'git-commit', as: 'commit', vars: [{ name: 'message', value: 'hi' }] },
    { uses: 'git-push', if: '${{ success() }}', continueOnError: true, retry: { errorThreshold: 3 } },
  ],
});
const noTasks = { promotionTasks: [], clusterTasks: [] };

describe('planPromotion', () => {
  it('names untitled steps step-<n> and fills defaults', () => {
    const plan = planPromotion(
      aStage([
        { uses: 'git-clone', config: { repoURL: 'https://x' } },
        { uses: 'yaml-update', as: 'update', if: '${{ always() }}', vars: [{ name: 'a', value: '1' }] },
        { uses: 'git-push', continueOnError: true, retry: { timeout: '5m' } },
      ]),
      noTasks,
    );
    expect(plan).toEqual({
      vars: [],
      steps: [
        { alias: 'step-1', uses: 'git-clone', continueOnError: false, retry: {}, vars: [], config: { repoURL: 'https://x' } },
        { alias: 'update', uses: 'yaml-update', if: '${{ always() }}', continueOnError: false, retry: {}, vars: [{ name: 'a', value: '1' }], config: {} },
        { alias: 'step-3', uses: 'git-push', continueOnError: true, retry: { timeout: '5m' }, vars: [], config: {} },
      ],
    });
  });

  it('concatenates stage vars and template vars', () => {
    const plan = planPromotion(
      aStage([{ uses: 'git-clone' }], { vars: [{ name: 'a', value: 'stage' }] }, [{ name: 'b', value: 'template' }]),
      noTasks,
    );
    expect(plan.vars).toEqual([
      { name: 'a', value: 'stage' },
      { name: 'b', value: 'template' },
    ]);
  });

  it('inflates a task reference into <taskAlias>::<innerAlias> steps', () => {
    const plan = planPromotion(
      aStage([
        { uses: 'git-clone' },
        { task: { name: 'deploy' }, vars: [{ name: 'repoURL', value: 'https://git' }] },
        { uses: 'git-push' },
      ]),
      { promotionTasks: [deploy], clusterTasks: [] },
    );
    const shared = [
      { name: 'branch', value: 'main' },
      { name: 'path', value: 'env' },
      { name: 'repoURL', value: 'https://git' },
    ];
    expect(plan.steps).toEqual([
      { alias: 'step-1', uses: 'git-clone', continueOnError: false, retry: {}, vars: [], config: {} },
      { alias: 'task-2::step-1', taskAlias: 'task-2', uses: 'git-clone', continueOnError: false, retry: {}, vars: shared, config: { repoURL: '${{ vars.repoURL }}' } },
      { alias: 'task-2::commit', taskAlias: 'task-2', uses: 'git-commit', continueOnError: false, retry: {}, vars: [...shared, { name: 'message', value: 'hi' }], config: {} },
      { alias: 'task-2::step-3', taskAlias: 'task-2', uses: 'git-push', if: '${{ success() }}', continueOnError: true, retry: { errorThreshold: 3 }, vars: shared, config: {} },
      { alias: 'step-3', uses: 'git-push', continueOnError: false, retry: {}, vars: [], config: {} },
    ]);
  });

  it('uses the task reference alias and skips task defaults the promotion vars already set', () => {
    const plan = planPromotion(
      aStage([{ task: { name: 'deploy' }, as: 'ship' }], { vars: [{ name: 'repoURL', value: 'https://stage' }] }, [
        { name: 'branch', value: 'release' },
        { name: 'path', value: '' },
      ]),
      { promotionTasks: [deploy], clusterTasks: [] },
    );
    expect(plan.steps.map((s) => s.alias)).toEqual(['ship::step-1', 'ship::commit', 'ship::step-3']);
    // repoURL and branch come from promotion vars; path is empty there, so the task default applies.
    expect(plan.steps[0]?.vars).toEqual([{ name: 'path', value: 'env' }]);
  });

  it('resolves ClusterPromotionTasks by kind', () => {
    const cluster: ClusterPromotionTask = {
      apiVersion: API,
      kind: 'ClusterPromotionTask',
      metadata: { name: 'deploy' },
      spec: { steps: [{ uses: 'git-push' }] },
    };
    const plan = planPromotion(aStage([{ task: { name: 'deploy', kind: 'ClusterPromotionTask' } }]), {
      promotionTasks: [deploy],
      clusterTasks: [cluster],
    });
    expect(plan.steps).toEqual([
      { alias: 'task-1::step-1', taskAlias: 'task-1', uses: 'git-push', continueOnError: false, retry: {}, vars: [], config: {} },
    ]);
  });

  it('does not share config objects with the stage spec', () => {
    const stage = aStage([{ uses: 'git-clone', config: { checkout: [{ path: 'a' }] } }]);
    const plan = planPromotion(stage, noTasks);
    (plan.steps[0]?.config['checkout'] as { path: string }[])[0]!.path = 'changed';
    expect(stage.spec.promotionTemplate?.spec.steps[0]?.config).toEqual({ checkout: [{ path: 'a' }] });
  });

  it.each([
    ['the stage has no promotion template', aStage(undefined), noTasks, 'Stage "prod" has no promotion steps: it is a control-flow stage and runs no promotions'],
    ['the template has no steps', aStage([]), noTasks, 'Stage "prod" has no promotion steps: it is a control-flow stage and runs no promotions'],
    [
      'a task is missing',
      aStage([{ uses: 'git-clone' }, { task: { name: 'nope' } }]),
      noTasks,
      'Stage "prod": step 2 (task-2) references PromotionTask "nope", which does not exist',
    ],
    [
      'a cluster task is missing',
      aStage([{ task: { name: 'deploy', kind: 'ClusterPromotionTask' } }]),
      { promotionTasks: [deploy], clusterTasks: [] },
      'Stage "prod": step 1 (task-1) references ClusterPromotionTask "deploy", which does not exist',
    ],
    [
      'a required task var is not supplied',
      aStage([{ task: { name: 'deploy' } }]),
      { promotionTasks: [deploy], clusterTasks: [] },
      'Stage "prod": PromotionTask "deploy" (step 1, task-1) requires var "repoURL", which neither the stage, its promotion template nor the task reference sets',
    ],
    [
      'a required task var is given an empty value',
      aStage([{ task: { name: 'deploy' }, vars: [{ name: 'repoURL', value: '' }] }]),
      { promotionTasks: [deploy], clusterTasks: [] },
      'Stage "prod": PromotionTask "deploy" (step 1, task-1) requires var "repoURL", which neither the stage, its promotion template nor the task reference sets',
    ],
  ])('throws FailedPrecondition when %s', (_label, stage, tasks, message) => {
    expect(() => planPromotion(stage, tasks)).toThrow(expect.objectContaining({ code: 'FailedPrecondition', message }));
  });

  it('only matches PromotionTasks of the stage namespace', () => {
    const other = { ...deploy, metadata: { name: 'deploy', namespace: 'other' } };
    expect(() =>
      planPromotion(aStage([{ task: { name: 'deploy' }, vars: [{ name: 'repoURL', value: 'x' }] }]), {
        promotionTasks: [other],
        clusterTasks: [],
      }),
    ).toThrow('references PromotionTask "deploy", which does not exist');
  });
});
