import type { ExpressionVariable, PromotionStepSpec, Stage } from '../../../core/model.js';
import { planPromotion } from '../../../core/promotion/plan.js';
import { aClusterPromotionTask, aPromotionTask, aStage } from '../../support/manifests.js';

/** Stage prod with these steps; undefined: no promotion template at all. */
const prodStage = (steps: PromotionStepSpec[] | undefined, spec: Partial<Stage['spec']> = {}, templateVars?: ExpressionVariable[]): Stage =>
  aStage('prod', { steps: steps ?? null, spec, ...(templateVars ? { templateVars } : {}) });

const deploy = aPromotionTask('deploy', {
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
      prodStage([
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
      prodStage([{ uses: 'git-clone' }], { vars: [{ name: 'a', value: 'stage' }] }, [{ name: 'b', value: 'template' }]),
      noTasks,
    );
    expect(plan.vars).toEqual([
      { name: 'a', value: 'stage' },
      { name: 'b', value: 'template' },
    ]);
  });

  it('inflates a task reference into <taskAlias>::<innerAlias> steps', () => {
    const plan = planPromotion(
      prodStage([
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
      prodStage([{ task: { name: 'deploy' }, as: 'ship' }], { vars: [{ name: 'repoURL', value: 'https://stage' }] }, [
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
    const cluster = aClusterPromotionTask('deploy', { steps: [{ uses: 'git-push' }] });
    const plan = planPromotion(prodStage([{ task: { name: 'deploy', kind: 'ClusterPromotionTask' } }]), {
      promotionTasks: [deploy],
      clusterTasks: [cluster],
    });
    expect(plan.steps).toEqual([
      { alias: 'task-1::step-1', taskAlias: 'task-1', uses: 'git-push', continueOnError: false, retry: {}, vars: [], config: {} },
    ]);
  });

  it('does not share config objects with the stage spec', () => {
    const stage = prodStage([{ uses: 'git-clone', config: { checkout: [{ path: 'a' }] } }]);
    const plan = planPromotion(stage, noTasks);
    (plan.steps[0]?.config['checkout'] as { path: string }[])[0]!.path = 'changed';
    expect(stage.spec.promotionTemplate?.spec.steps[0]?.config).toEqual({ checkout: [{ path: 'a' }] });
  });

  it.each([
    ['the stage has no promotion template', prodStage(undefined), noTasks, 'Stage "prod" has no promotion steps: it is a control-flow stage and runs no promotions'],
    ['the template has no steps', prodStage([]), noTasks, 'Stage "prod" has no promotion steps: it is a control-flow stage and runs no promotions'],
    [
      'a task is missing',
      prodStage([{ uses: 'git-clone' }, { task: { name: 'nope' } }]),
      noTasks,
      'Stage "prod": step 2 (task-2) references PromotionTask "nope", which does not exist',
    ],
    [
      'a cluster task is missing',
      prodStage([{ task: { name: 'deploy', kind: 'ClusterPromotionTask' } }]),
      { promotionTasks: [deploy], clusterTasks: [] },
      'Stage "prod": step 1 (task-1) references ClusterPromotionTask "deploy", which does not exist',
    ],
    [
      'a required task var is not supplied',
      prodStage([{ task: { name: 'deploy' } }]),
      { promotionTasks: [deploy], clusterTasks: [] },
      'Stage "prod": PromotionTask "deploy" (step 1, task-1) requires var "repoURL", which neither the stage, its promotion template nor the task reference sets',
    ],
    [
      'a required task var is given an empty value',
      prodStage([{ task: { name: 'deploy' }, vars: [{ name: 'repoURL', value: '' }] }]),
      { promotionTasks: [deploy], clusterTasks: [] },
      'Stage "prod": PromotionTask "deploy" (step 1, task-1) requires var "repoURL", which neither the stage, its promotion template nor the task reference sets',
    ],
  ])('throws FailedPrecondition when %s', (_label, stage, tasks, message) => {
    expect(() => planPromotion(stage, tasks)).toThrow(expect.objectContaining({ code: 'FailedPrecondition', message }));
  });

  it('only matches PromotionTasks of the stage namespace', () => {
    const other = { ...deploy, metadata: { name: 'deploy', namespace: 'other' } };
    expect(() =>
      planPromotion(prodStage([{ task: { name: 'deploy' }, vars: [{ name: 'repoURL', value: 'x' }] }]), {
        promotionTasks: [other],
        clusterTasks: [],
      }),
    ).toThrow('references PromotionTask "deploy", which does not exist');
  });
});
