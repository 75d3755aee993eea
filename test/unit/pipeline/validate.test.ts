import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseManifests } from '../../../core/manifests/index.js';
import type { ClusterPromotionTask, ProjectConfig, PromotionTask, Stage, Warehouse } from '../../../core/model.js';
import { formatSpecIssue, stageGraph, validateProjectSpecs, type ProjectSpecs } from '../../../core/pipeline/validate.js';
import { STEP_KINDS } from '../../../core/promotion/step-kinds.js';

/** The three-stage fixture as a spec set: dev (direct) → staging → prod, one warehouse, one task. */
function fixtureSpecs(): ProjectSpecs {
  const text = readFileSync(fileURLToPath(new URL('../../fixtures/manifests/three-stage.yaml', import.meta.url)), 'utf8');
  const { manifests, issues } = parseManifests(text, 'three-stage.yaml');
  if (issues.length > 0) throw new Error('fixture does not parse');
  return {
    project: 'demo',
    config: manifests.find((m): m is ProjectConfig => m.kind === 'ProjectConfig'),
    warehouses: manifests.filter((m): m is Warehouse => m.kind === 'Warehouse'),
    stages: manifests.filter((m): m is Stage => m.kind === 'Stage'),
    tasks: manifests.filter((m): m is PromotionTask => m.kind === 'PromotionTask'),
    clusterTasks: [],
  };
}

function stage(specs: ProjectSpecs, name: string): Stage {
  const s = specs.stages.find((x) => x.metadata.name === name);
  if (s === undefined) throw new Error(`no stage ${name}`);
  return s;
}

function steps(specs: ProjectSpecs, name: string) {
  const t = stage(specs, name).spec.promotionTemplate;
  if (t === undefined) throw new Error('no template');
  return t.spec.steps;
}

/** Step kinds for the error tables: fixed, so the messages do not change as Shunt gains steps. */
const KINDS = ['git-clone', 'git-commit', 'git-push', 'kustomize-set-image', 'yaml-update'];

function issuesAfter(mutate: (s: ProjectSpecs) => void, kinds: readonly string[] = KINDS): string[] {
  const specs = fixtureSpecs();
  mutate(specs);
  return validateProjectSpecs(specs, kinds).map(formatSpecIssue);
}

function simpleStage(name: string, upstream: string[]): Stage {
  return {
    apiVersion: 'kargo.akuity.io/v1alpha1',
    kind: 'Stage',
    metadata: { name, namespace: 'demo' },
    spec: { requestedFreight: [{ origin: { kind: 'Warehouse', name: 'app' }, sources: upstream.length ? { stages: upstream } : { direct: true } }] },
  };
}

describe('validateProjectSpecs', () => {
  it('accepts the three-stage fixture', () => {
    expect(validateProjectSpecs(fixtureSpecs(), STEP_KINDS)).toEqual([]);
  });

  it.each<[string, (s: ProjectSpecs) => void, string[]]>([
    [
      'an unknown warehouse',
      (s) => (stage(s, 'dev').spec.requestedFreight[0]!.origin.name = 'ap'),
      ['Stage dev: spec.requestedFreight[0].origin.name: unknown warehouse "ap"', 'Stage staging: spec.requestedFreight[0].sources.stages[0]: stage "dev" does not request freight from Warehouse "app"'],
    ],
    [
      'an unknown upstream stage',
      (s) => (stage(s, 'prod').spec.requestedFreight[0]!.sources.stages = ['stagin']),
      ['Stage prod: spec.requestedFreight[0].sources.stages[0]: unknown stage "stagin"'],
    ],
    [
      'an upstream stage that does not request the origin',
      (s) => {
        s.warehouses.push({ ...s.warehouses[0]!, metadata: { name: 'other', namespace: 'demo' } });
        stage(s, 'prod').spec.requestedFreight[0]!.origin.name = 'other';
      },
      ['Stage prod: spec.requestedFreight[0].sources.stages[0]: stage "staging" does not request freight from Warehouse "other"'],
    ],
    [
      'a dependency cycle',
      (s) => (stage(s, 'dev').spec.requestedFreight[0]!.sources = { stages: ['prod'] }),
      ['Stage dev: spec.requestedFreight[0].sources.stages[0]: dependency cycle: dev -> staging -> prod -> dev'],
    ],
    [
      'a stage that is its own upstream',
      (s) => (stage(s, 'dev').spec.requestedFreight[0]!.sources = { direct: true, stages: ['dev'] }),
      ['Stage dev: spec.requestedFreight[0].sources.stages[0]: dependency cycle: dev -> dev'],
    ],
    [
      'an unknown task',
      (s) => (steps(s, 'dev')[0]!.task = { name: 'update-imag' }),
      ['Stage dev: spec.promotionTemplate.spec.steps[0].task.name: unknown PromotionTask "update-imag"'],
    ],
    [
      'an unknown cluster task',
      (s) => (steps(s, 'dev')[0]!.task = { name: 'update-image', kind: 'ClusterPromotionTask' }),
      ['Stage dev: spec.promotionTemplate.spec.steps[0].task.name: unknown ClusterPromotionTask "update-image"'],
    ],
    [
      'a missing required task var',
      (s) => delete steps(s, 'dev')[0]!.vars,
      [`Stage dev: spec.promotionTemplate.spec.steps[0].vars: PromotionTask "update-image" requires var "overlay"; set it here, in the template's vars or in the stage's vars`],
    ],
    [
      'an unknown step kind in a template',
      (s) => (steps(s, 'staging')[0]!.uses = 'git-clon'),
      ['Stage staging: spec.promotionTemplate.spec.steps[0].uses: unknown step kind "git-clon" (did you mean "git-clone"?)'],
    ],
    [
      'an unknown step kind in a task',
      (s) => (s.tasks[0]!.spec.steps[1]!.uses = 'helm-update-image'),
      [`PromotionTask update-image: spec.steps[1].uses: unknown step kind "helm-update-image"; this build runs ${KINDS.join(', ')}`],
    ],
    [
      'a bad expression in step config',
      (s) => (steps(s, 'staging')[2]!.config = { path: './src', updates: [{ key: 'image.tag', value: '${{ imageFrom( }}' }] }),
      ['Stage staging: spec.promotionTemplate.spec.steps[2].config.updates[0].value: invalid expression: unexpected end of expression at position 12 in ` imageFrom( `'],
    ],
    [
      'a bad expression in a task step',
      (s) => (s.tasks[0]!.spec.steps[0]!.config = { repoURL: '${{ vars. }}' }),
      ['PromotionTask update-image: spec.steps[0].config.repoURL: invalid expression: unexpected end of expression (expected a field name) at position 7 in ` vars. `'],
    ],
    [
      'a bad expression in stage vars',
      (s) => (stage(s, 'staging').spec.vars = [{ name: 'gitRepo', value: '${{ 1 + }}' }]),
      ['Stage staging: spec.vars[0].value: invalid expression: unexpected end of expression at position 5 in ` 1 + `'],
    ],
    [
      'an if that is not an expression',
      (s) => (steps(s, 'prod')[1]!.if = 'success()'),
      ['Stage prod: spec.promotionTemplate.spec.steps[1].if: must be a single ${{ }} expression, e.g. ${{ failure() }}'],
    ],
    [
      'an if that does not parse',
      (s) => (steps(s, 'prod')[1]!.if = '${{ success( }}'),
      ['Stage prod: spec.promotionTemplate.spec.steps[1].if: invalid expression: unexpected end of expression at position 10 in ` success( `'],
    ],
    [
      'a bad freight creation criteria expression',
      (s) => (s.warehouses[0]!.spec.freightCreationCriteria = { expression: 'a &&' }),
      ['Warehouse app: spec.freightCreationCriteria.expression: invalid expression: unexpected end of expression at position 4 in `a &&`'],
    ],
    [
      'a bad git expressionFilter',
      (s) => s.warehouses[0]!.spec.subscriptions.push({ git: { repoURL: 'https://g', expressionFilter: '!(' } }),
      ['Warehouse app: spec.subscriptions[1].git.expressionFilter: invalid expression: unexpected end of expression at position 2 in `!(`'],
    ],
    [
      'MatchUpstream with two upstream stages',
      (s) => {
        s.stages.push(simpleStage('qa', ['dev']));
        stage(s, 'prod').spec.requestedFreight[0]!.sources.stages = ['staging', 'qa'];
      },
      ['Stage prod: spec.requestedFreight[0].sources.autoPromotionOptions.selectionPolicy: MatchUpstream requires direct: false and exactly one upstream stage'],
    ],
    [
      'a duplicate step alias',
      (s) => (steps(s, 'staging')[3]!.as = 'set-image'),
      ['Stage staging: spec.promotionTemplate.spec.steps[3].as: step alias "set-image" duplicates that of steps[1]'],
    ],
    [
      'a duplicate stage name',
      (s) => s.stages.push(simpleStage('dev', [])),
      ['Stage dev: metadata.name: duplicate Stage "dev"'],
    ],
    [
      'a resource in another namespace',
      (s) => (s.warehouses[0]!.metadata.namespace = 'other'),
      ['Warehouse app: metadata.namespace: expected "demo" (the project), got "other"'],
    ],
    [
      'a ProjectConfig named unlike the project',
      (s) => (s.config = { ...s.config!, metadata: { name: 'demo2', namespace: 'demo' } }),
      ['ProjectConfig demo2: metadata.name: a ProjectConfig must be named like its project ("demo")'],
    ],
  ])('reports %s', (_label, mutate, expected) => {
    expect(issuesAfter(mutate)).toEqual(expected);
  });

  it('supplies required task vars from stage or template vars', () => {
    expect(
      issuesAfter((s) => {
        delete steps(s, 'dev')[0]!.vars;
        stage(s, 'dev').spec.vars = [{ name: 'overlay', value: 'dev' }];
      }),
    ).toEqual([]);
  });

  it('resolves ClusterPromotionTasks', () => {
    const cluster: ClusterPromotionTask = {
      apiVersion: 'kargo.akuity.io/v1alpha1',
      kind: 'ClusterPromotionTask',
      metadata: { name: 'notify' },
      spec: { vars: [{ name: 'channel' }], steps: [{ uses: 'fail' }] },
    };
    expect(
      issuesAfter((s) => {
        s.clusterTasks.push(cluster);
        steps(s, 'staging').push({ task: { name: 'notify', kind: 'ClusterPromotionTask' } });
      }),
    ).toEqual([
      'ClusterPromotionTask notify: spec.steps[0].uses: unknown step kind "fail"; this build runs git-clone, git-commit, git-push, kustomize-set-image, yaml-update',
      `Stage staging: spec.promotionTemplate.spec.steps[5].vars: ClusterPromotionTask "notify" requires var "channel"; set it here, in the template's vars or in the stage's vars`,
    ]);
  });

  it('reports every cycle once, from its alphabetically first stage', () => {
    const specs = fixtureSpecs();
    specs.stages = [simpleStage('b', ['a']), simpleStage('a', ['b']), simpleStage('c', ['d']), simpleStage('d', ['c']), simpleStage('e', [])];
    expect(validateProjectSpecs(specs, KINDS).map(formatSpecIssue)).toEqual([
      'Stage a: spec.requestedFreight[0].sources.stages[0]: dependency cycle: a -> b -> a',
      'Stage c: spec.requestedFreight[0].sources.stages[0]: dependency cycle: c -> d -> c',
    ]);
  });
});

describe('stageGraph', () => {
  it('lists upstream and downstream stages and a topological order', () => {
    expect(stageGraph(fixtureSpecs().stages)).toEqual({
      upstream: { dev: [], staging: ['dev'], prod: ['staging'] },
      downstream: { dev: ['staging'], staging: ['prod'], prod: [] },
      order: ['dev', 'staging', 'prod'],
    });
  });

  it('orders upstream stages first whatever the input order, keeping input order for ties', () => {
    const stages = [simpleStage('prod', ['qa', 'staging']), simpleStage('qa', ['dev']), simpleStage('staging', ['dev']), simpleStage('dev', [])];
    const g = stageGraph(stages);
    expect(g.order).toEqual(['dev', 'qa', 'staging', 'prod']);
    expect(g.downstream['dev']).toEqual(['qa', 'staging']);
  });

  it('puts stages on a cycle last and ignores unknown upstreams for ordering', () => {
    const g = stageGraph([simpleStage('a', ['b']), simpleStage('b', ['a']), simpleStage('c', ['ghost'])]);
    expect(g.order).toEqual(['c', 'a', 'b']);
    expect(g.upstream['c']).toEqual(['ghost']);
  });
});
