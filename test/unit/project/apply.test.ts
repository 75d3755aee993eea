import { freightContentFromManifest, freightId } from '../../../core/freight/freight-id.js';
import type { FreightManifest, Project, ProjectConfig, ProjectScopedManifest } from '../../../core/model.js';
import { KARGO_API_VERSION } from '../../../core/model.js';
import {
  applyIssues,
  applyResources,
  deleteIssue,
  deleteResource,
  emptyProjectState,
  mergedSpecs,
  type ApplyInput,
  type ApplyResultLine,
} from '../../../core/project/apply.js';
import type { ProjectState } from '../../../core/project/state.js';
import { aFreight, aState, at, sequence, T0 } from './builders.js';
import {
  aClusterPromotionTask,
  aFreightManifest,
  anImage,
  APP_IMAGE,
  aProject,
  aProjectConfig,
  aPromotionTask,
  aStage,
  aWarehouse,
  PROJECT,
  request,
} from '../../support/manifests.js';

const NOW = at(60_000);

function input(resources: ProjectScopedManifest[], extra: Partial<ApplyInput> = {}): ApplyInput {
  return { resources, clusterTasks: [], ...extra };
}

function idOf(m: FreightManifest): string {
  return freightId(freightContentFromManifest(m));
}

/** The ProjectConfig whose one policy turns auto-promotion to dev on or off. */
const aConfig = (autoPromotionEnabled = true): ProjectConfig => aProjectConfig({ promotionPolicies: [{ stage: 'dev', autoPromotionEnabled }] });

describe('emptyProjectState', () => {
  it('has no specs, freight, stages or promotions', () => {
    // act
    const state = emptyProjectState('demo', T0);

    // assert
    expect(state).toEqual({
      project: 'demo',
      specs: { warehouses: {}, stages: {}, tasks: {}, clusterTasks: {} },
      freight: {},
      stages: {},
      promotions: [],
      updatedAt: T0,
    });
  });
});

describe('mergedSpecs', () => {
  it('adds and replaces resources by kind and name without touching the input specs', () => {
    // arrange
    const state = aState({ stages: [aStage('dev')], warehouses: [aWarehouse('app')] });
    const before = structuredClone(state.specs);
    const newDev = aStage('dev', { requests: [request('app', { direct: true, stages: [] })] });
    const config = aConfig();
    const task = aPromotionTask('deploy');
    const project = aProject();

    // act
    const merged = mergedSpecs(state.specs, input([newDev, aStage('qa'), aWarehouse('config'), task, config], { projectManifest: project }));

    // assert
    expect(state.specs).toEqual(before);
    expect(Object.keys(merged.stages)).toEqual(['dev', 'qa']);
    expect(merged.stages['dev']).toBe(newDev);
    expect(Object.keys(merged.warehouses)).toEqual(['app', 'config']);
    expect(merged.tasks).toEqual({ deploy: task });
    expect(merged.config).toBe(config);
    expect(merged.project).toBe(project);
  });

  it('takes the cluster tasks from the input, dropping ones it no longer lists', () => {
    // arrange
    const state = aState();
    state.specs.clusterTasks = { old: aClusterPromotionTask('old', { steps: [{ uses: 'git-push' }] }) };
    const shared = aClusterPromotionTask('shared', { steps: [{ uses: 'git-push' }] });

    // act
    const merged = mergedSpecs(state.specs, input([], { clusterTasks: [shared] }));

    // assert
    expect(merged.clusterTasks).toEqual({ shared });
  });

  it('ignores freight manifests', () => {
    // arrange
    const state = aState();

    // act
    const merged = mergedSpecs(state.specs, input([aFreightManifest('f')]));

    // assert
    expect(merged).toEqual({ ...state.specs, clusterTasks: {} });
  });
});

describe('applyIssues', () => {
  const GITOPS = 'https://github.com/acme/gitops.git';
  const CHARTS = 'https://charts.example.com';
  const fullWarehouse = aWarehouse('app', {
    subscriptions: [{ image: { repoURL: APP_IMAGE } }, { git: { repoURL: GITOPS } }, { chart: { repoURL: CHARTS, name: 'app' } }],
  });
  const commit = { repoURL: 'https://github.com/acme/gitops', id: 'abc123' };
  const chart = { repoURL: CHARTS, name: 'app', version: '1.2.3' };

  it.each<[string, ProjectScopedManifest[], string[]]>([
    ['a valid stage and warehouse', [aWarehouse('app'), aStage('dev')], []],
    [
      'a stage requesting an unknown warehouse (spec issues come from core/pipeline)',
      [aStage('dev', { requests: [request('nope', { direct: true })] })],
      ['Stage dev: spec.requestedFreight[0].origin.name: unknown warehouse "nope"'],
    ],
    [
      'a stage with an unknown step kind',
      [aStage('dev', { steps: [{ uses: 'git-clon' }] })],
      ['Stage dev: spec.promotionTemplate.spec.steps[0].uses: unknown step kind "git-clon" (did you mean "git-clone"?)'],
    ],
    [
      'a stage whose upstream is in neither the state nor the input',
      [aStage('prod', { requests: [request('app', { stages: ['staging'] })] })],
      ['Stage prod: spec.requestedFreight[0].sources.stages[0]: unknown stage "staging"'],
    ],
    [
      'freight with every subscribed artifact, the git URL written differently',
      [fullWarehouse, aFreightManifest('f', { images: [anImage('1.0.0')], commits: [commit], charts: [chart] })],
      [],
    ],
    [
      'freight from an unknown warehouse',
      [aFreightManifest('f', { origin: { kind: 'Warehouse', name: 'nope' } })],
      ['Freight f: origin: unknown warehouse "nope"'],
    ],
    [
      'freight missing an artifact for each subscription, labelled by its alias',
      [fullWarehouse, aFreightManifest('f', { alias: 'bare', images: [] })],
      [
        `Freight bare: warehouse "app" subscribes to image ${APP_IMAGE}, but the freight has no artifact for it`,
        'Freight bare: warehouse "app" subscribes to git repository https://github.com/acme/gitops.git, but the freight has no artifact for it',
        'Freight bare: warehouse "app" subscribes to chart https://charts.example.com app, but the freight has no artifact for it',
      ],
    ],
    [
      'freight with artifacts the warehouse does not subscribe to',
      [
        aFreightManifest('f', {
          images: [anImage('1.0.0'), anImage('2.0.0', 'ghcr.io/acme/other')],
          commits: [commit],
          charts: [chart],
        }),
      ],
      [
        'Freight f: image ghcr.io/acme/other is not a subscription of warehouse "app"',
        'Freight f: git repository https://github.com/acme/gitops is not a subscription of warehouse "app"',
        'Freight f: chart https://charts.example.com app is not a subscription of warehouse "app"',
      ],
    ],
    [
      'freight with two images for one image subscription',
      [aFreightManifest('f', { images: [anImage('1.0.0'), anImage('2.0.0')] })],
      [`Freight f: image ${APP_IMAGE} is not a subscription of warehouse "app"`],
    ],
    [
      'freight with a chart of another name than the subscription',
      [aWarehouse('app', { subscriptions: [{ chart: { repoURL: CHARTS, name: 'app' } }] }), aFreightManifest('f', { images: [], charts: [{ ...chart, name: 'other' }] })],
      [
        'Freight f: warehouse "app" subscribes to chart https://charts.example.com app, but the freight has no artifact for it',
        'Freight f: chart https://charts.example.com other is not a subscription of warehouse "app"',
      ],
    ],
    [
      'two new freight in one apply with the same alias',
      [aFreightManifest('f', { alias: 'twin', tag: '1.0.0' }), aFreightManifest('f', { alias: 'twin', tag: '2.0.0' })],
      [`Freight twin: alias "twin" is already used by freight ${idOf(aFreightManifest('f', { tag: '1.0.0' }))}`],
    ],
  ])('reports %s', (_, resources, expected) => {
    // arrange
    const state = aState();

    // act
    const issues = applyIssues(state, input(resources));

    // assert
    expect(issues).toEqual(expected);
  });

  it('checks new stages against the stages already in the state', () => {
    // arrange
    const state = aState({ stages: [aStage('staging')] });

    // act
    const issues = applyIssues(state, input([aStage('prod', { requests: [request('app', { stages: ['staging'] })] })]));

    // assert
    expect(issues).toEqual([]);
  });

  it.each<[string, string, string[]]>([
    ['the alias of another freight', 'taken', [`Freight taken: alias "taken" is already used by freight ${'e'.repeat(40)}`]],
    ['the alias the same freight already has', 'mine', []],
    ['an unused alias', 'fresh', []],
  ])('reports freight given %s', (_, alias, expected) => {
    // arrange
    const manifest = aFreightManifest('f', { alias });
    const state = aState({
      freight: [aFreight('e'.repeat(40), { alias: 'taken' }), aFreight(idOf(manifest), { alias: 'mine' })],
    });

    // act
    const issues = applyIssues(state, input([manifest]));

    // assert
    expect(issues).toEqual(expected);
  });

  it('leaves the state as it was', () => {
    // arrange
    const state = aState();
    const before = structuredClone(state);

    // act
    applyIssues(state, input([aWarehouse('config'), aStage('dev'), aFreightManifest('f')]));

    // assert
    expect(state).toEqual(before);
  });
});

describe('applyResources', () => {
  type Kind = 'Warehouse' | 'Stage' | 'PromotionTask' | 'ProjectConfig';
  const original: Record<Kind, ProjectScopedManifest> = {
    Warehouse: aWarehouse('app'),
    Stage: aStage('dev'),
    PromotionTask: aPromotionTask('deploy'),
    ProjectConfig: aConfig(true),
  };
  const changed: Record<Kind, ProjectScopedManifest> = {
    Warehouse: aWarehouse('app', { subscriptions: [{ image: { repoURL: APP_IMAGE, constraint: '^1' } }] }),
    Stage: aStage('dev', { steps: [{ uses: 'git-push' }] }),
    PromotionTask: { ...aPromotionTask('deploy'), spec: { steps: [{ uses: 'git-commit' }] } },
    ProjectConfig: aConfig(false),
  };
  /** The same content with the keys in another order. */
  const reordered: Record<Kind, ProjectScopedManifest> = {
    Warehouse: { spec: { subscriptions: [{ image: { repoURL: APP_IMAGE } }] }, metadata: { namespace: PROJECT, name: 'app' }, kind: 'Warehouse', apiVersion: KARGO_API_VERSION },
    Stage: { spec: aStage('dev').spec, metadata: { namespace: PROJECT, name: 'dev' }, kind: 'Stage', apiVersion: KARGO_API_VERSION },
    PromotionTask: { spec: aPromotionTask('deploy').spec, metadata: { namespace: PROJECT, name: 'deploy' }, kind: 'PromotionTask', apiVersion: KARGO_API_VERSION },
    ProjectConfig: { spec: aConfig(true).spec, metadata: { namespace: PROJECT, name: PROJECT }, kind: 'ProjectConfig', apiVersion: KARGO_API_VERSION },
  };
  const KINDS: Kind[] = ['Warehouse', 'Stage', 'PromotionTask', 'ProjectConfig'];

  /** A state that already holds `original` of every kind. */
  function seeded(): ProjectState {
    const state = emptyProjectState(PROJECT, T0);
    applyResources(state, input(Object.values(original)), T0, sequence(0));
    return state;
  }

  it.each(KINDS)('reports a new %s as created', (kind) => {
    // arrange
    const state = emptyProjectState(PROJECT, T0);
    const resource = original[kind];

    // act
    const lines = applyResources(state, input([resource]), NOW, sequence(0));

    // assert
    expect(lines).toEqual([{ kind, name: resource.metadata.name, action: 'created' }]);
  });

  it.each(KINDS.flatMap((k) => [[k, 'the same', original[k], 'unchanged'] as const, [k, 'the same, keys reordered,', reordered[k], 'unchanged'] as const, [k, 'a changed', changed[k], 'configured'] as const]))(
    'reports %s applied again with %s spec as %s',
    (kind, _, resource, action) => {
      // arrange
      const state = seeded();

      // act
      const lines = applyResources(state, input([resource]), NOW, sequence(0));

      // assert
      expect(lines).toEqual([{ kind, name: resource.metadata.name, action }]);
    },
  );

  it('stores the specs and stamps updatedAt', () => {
    // arrange
    const state = emptyProjectState(PROJECT, T0);

    // act
    applyResources(state, input([original.Warehouse, original.Stage, original.PromotionTask, original.ProjectConfig]), NOW, sequence(0));

    // assert
    expect(state.specs).toEqual({
      warehouses: { app: original.Warehouse },
      stages: { dev: original.Stage },
      tasks: { deploy: original.PromotionTask },
      config: original.ProjectConfig,
      clusterTasks: {},
    });
    expect(state.updatedAt).toBe(NOW);
  });

  it('gives a new stage an empty stage state and keeps the state of a reconfigured one', () => {
    // arrange
    const state = seeded();
    state.stages['dev']!.queue = ['dev.p1'];

    // act
    applyResources(state, input([changed.Stage, aStage('qa')]), NOW, sequence(0));

    // assert
    expect(state.stages).toEqual({ dev: { freightHistory: [], queue: ['dev.p1'] }, qa: { freightHistory: [], queue: [] } });
  });

  it.each<[string, Project | undefined, Project, ApplyResultLine[]]>([
    ['a new project', undefined, aProject(), [{ kind: 'Project', name: PROJECT, action: 'created' }]],
    ['the same project again', aProject(), aProject(), [{ kind: 'Project', name: PROJECT, action: 'unchanged' }]],
    ['a changed project', aProject(), aProject(PROJECT, { team: 'payments' }), [{ kind: 'Project', name: PROJECT, action: 'configured' }]],
  ])('reports the Project line for %s', (_, existing, project, expected) => {
    // arrange
    const state = emptyProjectState(PROJECT, T0);
    if (existing) state.specs.project = existing;

    // act
    const lines = applyResources(state, input([], { projectManifest: project }), NOW, sequence(0));

    // assert
    expect(lines).toEqual(expected);
    expect(state.specs.project).toEqual(project);
  });

  it('puts the Project line first and has none without a Project manifest', () => {
    // arrange
    const withProject = emptyProjectState(PROJECT, T0);
    const without = emptyProjectState(PROJECT, T0);

    // act
    const linesWith = applyResources(withProject, input([original.Warehouse], { projectManifest: aProject() }), NOW, sequence(0));
    const linesWithout = applyResources(without, input([original.Warehouse]), NOW, sequence(0));

    // assert
    expect(linesWith.map((l) => l.kind)).toEqual(['Project', 'Warehouse']);
    expect(linesWithout.map((l) => l.kind)).toEqual(['Warehouse']);
  });

  describe('freight', () => {
    it('creates new freight once, with an alias drawn from the injected random', () => {
      // arrange
      const state = aState();
      const manifest = aFreightManifest('f', { tag: '1.0.0' });
      const id = idOf(manifest);

      // act
      const lines = applyResources(state, input([manifest], { actor: 'alice' }), NOW, sequence(0));

      // assert
      expect(lines).toEqual([{ kind: 'Freight', name: `${id} (agile-alpaca)`, action: 'created' }]);
      expect(state.freight).toEqual({
        [id]: {
          name: id,
          alias: 'agile-alpaca',
          origin: { kind: 'Warehouse', name: 'app' },
          commits: [],
          images: [anImage('1.0.0')],
          charts: [],
          discoveredAt: NOW,
          createdBy: 'alice',
          currentlyIn: {},
          verifiedIn: {},
          approvedFor: {},
        },
      });
    });

    it('records no createdBy without an actor', () => {
      // arrange
      const state = aState();
      const manifest = aFreightManifest('f');

      // act
      applyResources(state, input([manifest]), NOW, sequence(0));

      // assert
      expect(state.freight[idOf(manifest)]).not.toHaveProperty('createdBy');
    });

    it('uses the alias the manifest gives', () => {
      // arrange
      const state = aState();
      const manifest = aFreightManifest('f', { alias: 'first-cut' });

      // act
      const lines = applyResources(state, input([manifest]), NOW, sequence(0));

      // assert
      expect(lines).toEqual([{ kind: 'Freight', name: `${idOf(manifest)} (first-cut)`, action: 'created' }]);
      expect(state.freight[idOf(manifest)]!.alias).toBe('first-cut');
    });

    it('draws again when the generated alias is taken, also by freight created earlier in the same apply', () => {
      // arrange
      const state = aState({ freight: [aFreight('e'.repeat(40), { alias: 'agile-alpaca' })] });
      const one = aFreightManifest('f', { tag: '1.0.0' });
      const two = aFreightManifest('f', { tag: '2.0.0' });

      // act
      const lines = applyResources(state, input([one, two]), NOW, sequence(0, 0, 0, 1 / 64));

      // assert
      expect(lines).toEqual([
        { kind: 'Freight', name: `${idOf(one)} (agile-badger)`, action: 'created' },
        { kind: 'Freight', name: `${idOf(two)} (agile-badger-2)`, action: 'created' },
      ]);
    });

    it.each<[string, string | undefined, ApplyResultLine['action'], string]>([
      ['no alias', undefined, 'unchanged', 'old-name'],
      ['its current alias', 'old-name', 'unchanged', 'old-name'],
      ['a new alias', 'new-name', 'configured', 'new-name'],
    ])('reports existing freight applied again with %s as %s', (_, alias, action, expectedAlias) => {
      // arrange
      const manifest = aFreightManifest('f', alias ? { alias } : {});
      const id = idOf(manifest);
      const existing = aFreight(id, { alias: 'old-name', discoveredAt: T0, currentlyIn: { dev: { since: T0 } } });
      const state = aState({ freight: [existing] });
      const before = structuredClone(existing);

      // act
      const lines = applyResources(state, input([manifest], { actor: 'bob' }), NOW, sequence(0.5));

      // assert
      expect(lines).toEqual([{ kind: 'Freight', name: `${id} (${expectedAlias})`, action }]);
      expect(state.freight[id]).toEqual({ ...before, alias: expectedAlias });
      expect(Object.keys(state.freight)).toEqual([id]);
    });

    it('identifies freight by content whatever the artifact order', () => {
      // arrange
      const images = [anImage('1.0.0'), anImage('1.0.0', 'ghcr.io/acme/sidecar')];
      const state = aState();
      applyResources(state, input([aFreightManifest('f', { images })]), T0, sequence(0));

      // act
      const lines = applyResources(state, input([aFreightManifest('f', { images: [...images].reverse() })]), NOW, sequence(0.5));

      // assert
      expect(lines.map((l) => l.action)).toEqual(['unchanged']);
      expect(Object.keys(state.freight)).toHaveLength(1);
    });

    it('never gives two freight the same alias when a generated alias is given explicitly later in the same apply', () => {
      // arrange: applyIssues finds nothing wrong, as the generated alias is not known yet
      const state = aState();
      const generated = aFreightManifest('f', { tag: '1.0.0' });
      const named = aFreightManifest('f', { tag: '2.0.0', alias: 'agile-alpaca' });
      const apply = input([generated, named]);
      expect(applyIssues(state, apply)).toEqual([]);

      // act
      applyResources(state, apply, NOW, sequence(0));

      // assert
      const aliases = Object.values(state.freight).map((f) => f.alias);
      const duplicates = aliases.filter((a, i) => aliases.indexOf(a) !== i);
      expect(duplicates).toEqual([]);
    });
  });
});

describe('deleteIssue', () => {
  function graph(): ProjectState {
    const state = aState({
      warehouses: [aWarehouse('app'), aWarehouse('config'), aWarehouse('unused')],
      stages: [
        aStage('dev'),
        aStage('staging', { requests: [request('app', { stages: ['dev'] }), request('config', { direct: true })] }),
        aStage('qa', { requests: [request('app', { stages: ['dev'] })] }),
        aStage('prod', { requests: [request('app', { stages: ['staging'] })] }),
      ],
    });
    return state;
  }

  it.each<[string, 'Stage' | 'Warehouse', string, (s: ProjectState) => void, string | undefined]>([
    ['an unknown stage', 'Stage', 'nope', () => {}, 'stage "nope" not found in project "demo"'],
    ['a stage with a running promotion', 'Stage', 'prod', (s) => (s.stages['prod']!.currentPromotion = 'prod.x.1234567'), 'stage "prod" has a promotion running or queued'],
    ['a stage with a queued promotion', 'Stage', 'prod', (s) => (s.stages['prod']!.queue = ['prod.x.1234567']), 'stage "prod" has a promotion running or queued'],
    ['a stage that is an upstream of two stages', 'Stage', 'dev', () => {}, 'stage "dev" is an upstream of "staging", "qa"; delete or change those first'],
    ['a stage that is an upstream of one stage', 'Stage', 'staging', () => {}, 'stage "staging" is an upstream of "prod"; delete or change those first'],
    ['a leaf stage', 'Stage', 'prod', () => {}, undefined],
    ['a leaf stage with no stage state yet', 'Stage', 'prod', (s) => delete s.stages['prod'], undefined],
    ['an unknown warehouse', 'Warehouse', 'nope', () => {}, 'warehouse "nope" not found in project "demo"'],
    ['a warehouse requested by several stages', 'Warehouse', 'app', () => {}, 'warehouse "app" is requested by "dev", "staging", "qa", "prod"; delete or change those first'],
    ['a warehouse requested by one stage', 'Warehouse', 'config', () => {}, 'warehouse "config" is requested by "staging"; delete or change those first'],
    ['a warehouse no stage requests', 'Warehouse', 'unused', () => {}, undefined],
  ])('judges deleting %s', (_, kind, name, arrange, expected) => {
    // arrange
    const state = graph();
    arrange(state);

    // act
    const issue = deleteIssue(state, kind, name);

    // assert
    expect(issue).toBe(expected);
  });
});

describe('deleteResource', () => {
  it('removes a stage, its stage state and its entries in every freight', () => {
    // arrange
    const state = aState({
      stages: [aStage('dev'), aStage('qa')],
      freight: [
        aFreight('f1', { currentlyIn: { dev: { since: T0 }, qa: { since: T0 } }, verifiedIn: { dev: { verifiedAt: T0 } } }),
        aFreight('f2', { verifiedIn: { dev: { verifiedAt: T0, longestSoakMs: 5 } }, approvedFor: { dev: { approvedAt: T0 }, qa: { approvedAt: T0 } } }),
      ],
    });

    // act
    deleteResource(state, 'Stage', 'dev', NOW);

    // assert
    expect(Object.keys(state.specs.stages)).toEqual(['qa']);
    expect(Object.keys(state.stages)).toEqual(['qa']);
    expect(state.freight['f1']).toMatchObject({ currentlyIn: { qa: { since: T0 } }, verifiedIn: {}, approvedFor: {} });
    expect(state.freight['f2']).toMatchObject({ currentlyIn: {}, verifiedIn: {}, approvedFor: { qa: { approvedAt: T0 } } });
    expect(state.updatedAt).toBe(NOW);
  });

  it('removes a warehouse spec and keeps its freight', () => {
    // arrange
    const state = aState({ warehouses: [aWarehouse('app'), aWarehouse('config')], freight: [aFreight('f1')] });

    // act
    deleteResource(state, 'Warehouse', 'app', NOW);

    // assert
    expect(Object.keys(state.specs.warehouses)).toEqual(['config']);
    expect(Object.keys(state.freight)).toEqual(['f1']);
    expect(state.updatedAt).toBe(NOW);
  });
});
