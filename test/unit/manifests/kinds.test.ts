import { stringify } from 'yaml';
import { formatIssue, parseManifests } from '../../../core/manifests/index.js';
import type { Warehouse } from '../../../core/model.js';

 
type Raw = Record<string, any>;

const API = 'kargo.akuity.io/v1alpha1';

const stage = (): Raw => ({
  apiVersion: API,
  kind: 'Stage',
  metadata: { name: 'prod', namespace: 'demo' },
  spec: {
    requestedFreight: [{ origin: { kind: 'Warehouse', name: 'app' }, sources: { stages: ['staging'] } }],
    promotionTemplate: {
      spec: {
        steps: [
          { uses: 'git-clone', as: 'clone', config: { repoURL: 'https://x' } },
          { task: { name: 'deploy' } },
          { uses: 'git-push' },
        ],
      },
    },
  },
});

const warehouse = (): Raw => ({
  apiVersion: API,
  kind: 'Warehouse',
  metadata: { name: 'app', namespace: 'demo' },
  spec: { subscriptions: [{ image: { repoURL: 'ghcr.io/example/app' } }] },
});

const task = (kind = 'PromotionTask'): Raw => ({
  apiVersion: API,
  kind,
  metadata: kind === 'PromotionTask' ? { name: 'deploy', namespace: 'demo' } : { name: 'deploy' },
  spec: { vars: [{ name: 'overlay' }], steps: [{ uses: 'git-clone' }, { uses: 'git-push', as: 'push' }] },
});

const projectConfig = (): Raw => ({
  apiVersion: API,
  kind: 'ProjectConfig',
  metadata: { name: 'demo', namespace: 'demo' },
  spec: { promotionPolicies: [{ stageSelector: { name: 'dev' }, autoPromotionEnabled: true }] },
});

const project = (): Raw => ({ apiVersion: API, kind: 'Project', metadata: { name: 'demo' } });

function issues(base: Raw, mutate: (d: Raw) => void): string[] {
  const d = structuredClone(base);
  mutate(d);
  return parseManifests(stringify(d), 'pipeline.yaml').issues.map(formatIssue);
}

function parse(base: Raw, mutate: (d: Raw) => void = () => undefined) {
  const d = structuredClone(base);
  mutate(d);
  return parseManifests(stringify(d), 'pipeline.yaml');
}

describe('valid documents', () => {
  it.each([
    ['Stage', stage()],
    ['Warehouse', warehouse()],
    ['PromotionTask', task()],
    ['ClusterPromotionTask', task('ClusterPromotionTask')],
    ['ProjectConfig', projectConfig()],
    ['Project', project()],
  ])('%s parses', (_kind, d) => {
    expect(parse(d).issues).toEqual([]);
  });
});

describe('Stage', () => {
  const P = 'pipeline.yaml: document 1 (Stage prod)';
  it.each<[string, (d: Raw) => void, string[]]>([
    ['an unknown field', (d) => (d.spec.foo = 1), [`${P}: spec: unknown field "foo"`]],
    ['two unknown fields', (d) => Object.assign(d.spec, { foo: 1, bar: 2 }), [`${P}: spec: unknown field "foo"`, `${P}: spec: unknown field "bar"`]],
    ['a missing requestedFreight', (d) => delete d.spec.requestedFreight, [`${P}: spec.requestedFreight: required`]],
    ['an empty requestedFreight', (d) => (d.spec.requestedFreight = []), [`${P}: spec.requestedFreight: must have at least 1 item`]],
    ['a missing spec', (d) => delete d.spec, [`${P}: spec: required`]],
    ['a wrong type', (d) => (d.spec.requestedFreight[0].sources.direct = 'yes'), [`${P}: spec.requestedFreight[0].sources.direct: expected boolean, got string`]],
    ['a wrong origin kind', (d) => (d.spec.requestedFreight[0].origin.kind = 'Stage'), [`${P}: spec.requestedFreight[0].origin.kind: expected "Warehouse", got "Stage"`]],
    [
      'sources without direct or stages',
      (d) => (d.spec.requestedFreight[0].sources = { direct: false }),
      [`${P}: spec.requestedFreight[0].sources: expected direct: true or at least one upstream stage`],
    ],
    [
      'an origin requested twice',
      (d) => d.spec.requestedFreight.push(structuredClone(d.spec.requestedFreight[0])),
      [`${P}: spec.requestedFreight[1].origin: Warehouse "app" is already requested at requestedFreight[0]`],
    ],
    [
      'MatchUpstream with direct',
      (d) => (d.spec.requestedFreight[0].sources = { direct: true, autoPromotionOptions: { selectionPolicy: 'MatchUpstream' } }),
      [`${P}: spec.requestedFreight[0].sources.autoPromotionOptions.selectionPolicy: MatchUpstream requires direct: false and exactly one upstream stage`],
    ],
    [
      'MatchUpstream with two upstream stages',
      (d) => (d.spec.requestedFreight[0].sources = { stages: ['a', 'b'], autoPromotionOptions: { selectionPolicy: 'MatchUpstream' } }),
      [`${P}: spec.requestedFreight[0].sources.autoPromotionOptions.selectionPolicy: MatchUpstream requires direct: false and exactly one upstream stage`],
    ],
    [
      'an unknown selection policy',
      (d) => (d.spec.requestedFreight[0].sources.autoPromotionOptions = { selectionPolicy: 'Newest' }),
      [`${P}: spec.requestedFreight[0].sources.autoPromotionOptions.selectionPolicy: expected one of NewestFreight, MatchUpstream, got "Newest"`],
    ],
    [
      'a bad duration',
      (d) => (d.spec.requestedFreight[0].sources.requiredSoakTime = '1 hour'),
      [`${P}: spec.requestedFreight[0].sources.requiredSoakTime: "1 hour" is not a duration; use Go syntax such as 30s, 5m or 1h30m`],
    ],
    ['days in a Kargo duration', (d) => (d.spec.requestedFreight[0].sources.requiredSoakTime = '1d'), [`${P}: spec.requestedFreight[0].sources.requiredSoakTime: "1d" is not a duration; use Go syntax such as 30s, 5m or 1h30m`]],
    [
      'a step with both uses and task',
      (d) => (d.spec.promotionTemplate.spec.steps[0].task = { name: 'deploy' }),
      [`${P}: spec.promotionTemplate.spec.steps[0]: expected exactly one of uses or task, got both`],
    ],
    [
      'a step with neither uses nor task',
      (d) => delete d.spec.promotionTemplate.spec.steps[2].uses,
      [`${P}: spec.promotionTemplate.spec.steps[2]: expected exactly one of uses or task`],
    ],
    [
      'a task step with config and if',
      (d) => Object.assign(d.spec.promotionTemplate.spec.steps[1], { config: {}, if: '${{ true }}' }),
      [`${P}: spec.promotionTemplate.spec.steps[1]: a task step may carry only task, as and vars; remove if, config`],
    ],
    [
      'a duplicate alias',
      (d) => (d.spec.promotionTemplate.spec.steps[2].as = 'clone'),
      [`${P}: spec.promotionTemplate.spec.steps[2].as: step alias "clone" duplicates that of steps[0]`],
    ],
    [
      'a reserved alias',
      (d) => (d.spec.promotionTemplate.spec.steps[0].as = 'step-3'),
      [`${P}: spec.promotionTemplate.spec.steps[0].as: step alias "step-3" is reserved (Kargo names unnamed steps step-<n> and task-<n>)`],
    ],
    [
      'a malformed alias',
      (d) => (d.spec.promotionTemplate.spec.steps[0].as = 'my step'),
      [`${P}: spec.promotionTemplate.spec.steps[0].as: "my step" is not a valid step alias: start with a letter, then letters, digits, '_' or '-'`],
    ],
    [
      'an unknown task kind',
      (d) => (d.spec.promotionTemplate.spec.steps[1].task.kind = 'Task'),
      [`${P}: spec.promotionTemplate.spec.steps[1].task.kind: expected one of PromotionTask, ClusterPromotionTask, got "Task"`],
    ],
    ['an empty step list', (d) => (d.spec.promotionTemplate.spec.steps = []), [`${P}: spec.promotionTemplate.spec.steps: must have at least 1 item`]],
    ['a negative errorThreshold', (d) => (d.spec.promotionTemplate.spec.steps[0].retry = { errorThreshold: -1 }), [`${P}: spec.promotionTemplate.spec.steps[0].retry.errorThreshold: must be at least 0`]],
    ['a fractional errorThreshold', (d) => (d.spec.promotionTemplate.spec.steps[0].retry = { errorThreshold: 1.5 }), [`${P}: spec.promotionTemplate.spec.steps[0].retry.errorThreshold: expected integer, got number`]],
    ['config that is not a mapping', (d) => (d.spec.promotionTemplate.spec.steps[0].config = 'x'), [`${P}: spec.promotionTemplate.spec.steps[0].config: expected object, got string`]],
    [
      'a bad var name',
      (d) => (d.spec.vars = [{ name: '1st', value: 'x' }]),
      [`${P}: spec.vars[0].name: "1st" is not a valid variable name: use letters, digits and '_', not starting with a digit`],
    ],
    [
      'an invalid name',
      (d) => (d.metadata.name = 'Prod_1'),
      [
        `pipeline.yaml: document 1 (Stage Prod_1): metadata.name: "Prod_1" is not a valid name: use lowercase letters, digits, '-' and '.', starting and ending with a letter or digit`,
      ],
    ],
    ['a name longer than 253 characters', (d) => (d.metadata.name = 'a'.repeat(254)), [`pipeline.yaml: document 1 (Stage ${'a'.repeat(254)}): metadata.name: must be at most 253 characters`]],
    ['a missing namespace', (d) => delete d.metadata.namespace, [`${P}: metadata.namespace: required`]],
    ['a bad soak', (d) => (d.spec.verification = { soak: { duration: 'forever' } }), [`${P}: spec.verification.soak.duration: "forever" is not a duration; use Go syntax such as 30s, 5m, 1h30m or 2d`]],
  ])('reports %s', (_label, mutate, expected) => {
    expect(issues(stage(), mutate)).toEqual(expected);
  });

  it('accepts Kargo fields Shunt ignores, dropping targets and status', () => {
    const r = parse(stage(), (d) => {
      d.spec.shard = 'east';
      d.spec.targets = { selectors: [{ matchLabels: { env: 'prod' } }] };
      d.spec.requestedFreight[0].sources.availabilityStrategy = '';
      d.spec.verification = {
        analysisTemplates: [{ name: 'smoke' }],
        analysisRunMetadata: { labels: { a: 'b' } },
        args: [{ name: 'url', value: 'https://x' }],
        soak: { duration: '2d' },
      };
      d.status = { freightHistory: [] };
    });
    expect(r.issues).toEqual([]);
    const s = r.manifests[0] as Raw;
    expect(s.spec.targets).toBeUndefined();
    expect(s.status).toBeUndefined();
    expect(s.spec.requestedFreight[0].sources).toEqual({ stages: ['staging'] });
    expect(r.hints).toEqual([
      "pipeline.yaml: document 1 (Stage prod): spec.targets (Kargo's in-development Targets) is ignored by Shunt",
      'pipeline.yaml: document 1 (Stage prod): spec.promotionTemplate.spec.steps[0] (clone): git-clone without checkout clones into the workspace root; the current spelling is checkout: [{ branch: <branch>, path: ./src }]',
      'pipeline.yaml: document 1 (Stage prod): spec.promotionTemplate.spec.steps[2]: git-push without path uses the workspace root; Kargo requires path',
    ]);
  });

  it('accepts a control-flow stage without a promotion template', () => {
    expect(issues(stage(), (d) => delete d.spec.promotionTemplate)).toEqual([]);
  });
});

describe('Warehouse', () => {
  const P = 'pipeline.yaml: document 1 (Warehouse app)';
  const img = (d: Raw): Raw => d.spec.subscriptions[0].image;
  it.each<[string, (d: Raw) => void, string[]]>([
    ['no subscriptions', (d) => (d.spec.subscriptions = []), [`${P}: spec.subscriptions: must have at least 1 item`]],
    ['a subscription with two kinds', (d) => (d.spec.subscriptions[0].git = { repoURL: 'https://x' }), [`${P}: spec.subscriptions[0]: expected exactly one of image, git or chart, got image and git`]],
    ['a subscription with no kind', (d) => (d.spec.subscriptions = [{ name: 'x' }]), [`${P}: spec.subscriptions[0]: expected exactly one of image, git or chart`]],
    [
      'a generic subscription',
      (d) => (d.spec.subscriptions = [{ oci: { repoURL: 'x' } }]),
      [
        `${P}: spec.subscriptions[0].name: required for subscriptions of this type`,
        `${P}: spec.subscriptions[0].oci: no subscriber for subscription type "oci": Kargo's open-source build discovers only git, image and chart subscriptions and refuses other types at apply (a generic subscription needs a subscriber Kargo registers), and so does Shunt`,
      ],
    ],
    [
      'duplicate subscription names',
      (d) => (d.spec.subscriptions = [{ name: 'a', image: { repoURL: 'x/y' } }, { name: 'a', git: { repoURL: 'https://g' } }]),
      [`${P}: spec.subscriptions[1].name: subscription name "a" is already used by subscriptions[0]`],
    ],
    ['an unknown strategy', (d) => (img(d).imageSelectionStrategy = 'Newest'), [`${P}: spec.subscriptions[0].image.imageSelectionStrategy: expected one of SemVer, Lexical, NewestBuild, Digest, got "Newest"`]],
    ['Digest without a constraint', (d) => (img(d).imageSelectionStrategy = 'Digest'), [`${P}: spec.subscriptions[0].image.constraint: required with imageSelectionStrategy Digest (the tag to track)`]],
    ['an image repoURL with a tag', (d) => (img(d).repoURL = 'ghcr.io/example/app:1.0'), [`${P}: spec.subscriptions[0].image.repoURL: must name a repository without a tag or digest`]],
    ['a missing repoURL', (d) => delete img(d).repoURL, [`${P}: spec.subscriptions[0].image.repoURL: required`]],
    ['a discoveryLimit of 0', (d) => (img(d).discoveryLimit = 0), [`${P}: spec.subscriptions[0].image.discoveryLimit: must be at least 1`]],
    ['a discoveryLimit of 101', (d) => (img(d).discoveryLimit = 101), [`${P}: spec.subscriptions[0].image.discoveryLimit: must be at most 100`]],
    ['a bad regex', (d) => (img(d).allowTagsRegexes = ['(']), [expect.stringMatching(/^pipeline\.yaml: document 1 \(Warehouse app\): spec\.subscriptions\[0\]\.image\.allowTagsRegexes\[0\]: invalid regular expression: /) as unknown as string]],
    ['allowTags given as a list', (d) => (img(d).allowTags = ['a']), [`${P}: spec.subscriptions[0].image.allowTags: expected string (one regular expression), got array`]],
    [
      'ignoreTags given as one string (Kargo: a list of exact tags)',
      (d) => (img(d).ignoreTags = '-rc$'),
      [`${P}: spec.subscriptions[0].image.ignoreTags: expected a list of exact tags, got string; for regular expressions use ignoreTagsRegexes`],
    ],
    ['an ignoreTags entry that is not a string', (d) => (img(d).ignoreTags = ['a', 1]), [`${P}: spec.subscriptions[0].image.ignoreTags[1]: expected string (an exact tag), got number`]],
    [
      'an image constraint Masterminds refuses (issue 17)',
      (d) => (img(d).constraint = '>>>1.2'),
      [`${P}: spec.subscriptions[0].image.constraint: invalid semver constraint ">>>1.2": improper constraint: ">>>1.2"`],
    ],
    [
      'an old-spelled image semverConstraint Masterminds refuses',
      (d) => (img(d).semverConstraint = '1.2.3.4'),
      [`${P}: spec.subscriptions[0].image.constraint: invalid semver constraint "1.2.3.4": improper constraint: "1.2.3.4"`],
    ],
    [
      'a git semverConstraint Masterminds refuses',
      (d) => (d.spec.subscriptions = [{ git: { repoURL: 'https://g', commitSelectionStrategy: 'SemVer', semverConstraint: '>= 1.0 || ' } }]),
      [`${P}: spec.subscriptions[0].git.semverConstraint: invalid semver constraint ">= 1.0 || ": improper constraint: " "`],
    ],
    [
      'a chart semverConstraint Masterminds refuses',
      (d) => (d.spec.subscriptions = [{ chart: { repoURL: 'oci://ghcr.io/x/chart', semverConstraint: '^1.2 ; <2' } }]),
      [`${P}: spec.subscriptions[0].chart.semverConstraint: invalid semver constraint "^1.2 ; <2": improper constraint: "^1.2 ; <2"`],
    ],
    [
      'both tagSelectionStrategy and a different imageSelectionStrategy',
      (d) => Object.assign(img(d), { tagSelectionStrategy: 'Lexical', imageSelectionStrategy: 'SemVer' }),
      [`${P}: spec.subscriptions[0].image.tagSelectionStrategy: conflicts with imageSelectionStrategy; keep only imageSelectionStrategy`],
    ],
    ['an http chart without a name', (d) => (d.spec.subscriptions = [{ chart: { repoURL: 'https://charts.example.com' } }]), [`${P}: spec.subscriptions[0].chart.name: required for an http(s) chart repository`]],
    [
      'an oci chart with a name',
      (d) => (d.spec.subscriptions = [{ chart: { repoURL: 'oci://ghcr.io/x/chart', name: 'chart' } }]),
      [`${P}: spec.subscriptions[0].chart.name: must be empty for an oci:// repoURL (the URL names the chart)`],
    ],
    ['an unknown git strategy', (d) => (d.spec.subscriptions = [{ git: { repoURL: 'https://g', commitSelectionStrategy: 'Newest' } }]), [`${P}: spec.subscriptions[0].git.commitSelectionStrategy: expected one of NewestFromBranch, SemVer, Lexical, NewestTag, got "Newest"`]],
    ['a bad interval', (d) => (d.spec.interval = '5 minutes'), [`${P}: spec.interval: "5 minutes" is not a duration; use Go syntax such as 30s, 5m or 1h30m`]],
    ['an interval given as a number', (d) => (d.spec.interval = 5), [`${P}: spec.interval: expected string, got number`]],
    ['an unknown creation policy', (d) => (d.spec.freightCreationPolicy = 'Auto'), [`${P}: spec.freightCreationPolicy: expected one of Automatic, Manual, got "Auto"`]],
  ])('reports %s', (_label, mutate, expected) => {
    expect(issues(warehouse(), mutate)).toEqual(expected);
  });

  it('takes an empty legacy ignoreTags list without a hint (Kargo ignores it too)', () => {
    const r = parse(warehouse(), (d) => (img(d).ignoreTags = []));
    expect(r.issues).toEqual([]);
    expect(r.hints).toEqual([]);
  });

  it('accepts the constraints Masterminds accepts, and any tag as a Digest or Lexical constraint', () => {
    for (const constraint of ['>=1.2 <2, !=1.5', '1.2.x-0', '^1.2 || ~2.3.4', '1.0 - 1.4', '=> 1', 'v1.2.3']) {
      expect(issues(warehouse(), (d) => (img(d).constraint = constraint))).toEqual([]);
    }
    expect(issues(warehouse(), (d) => Object.assign(img(d), { imageSelectionStrategy: 'Digest', constraint: 'latest' }))).toEqual([]);
    expect(issues(warehouse(), (d) => Object.assign(img(d), { imageSelectionStrategy: 'Lexical', constraint: '>>>' }))).toEqual([]);
  });

  it("rewrites Kargo's legacy image fields and hints at the new spellings", () => {
    const r = parse(warehouse(), (d) => {
      d.spec.subscriptions = [
        { image: { repoURL: 'ghcr.io/a', tagSelectionStrategy: 'Lexical', allowTags: '^v1', ignoreTags: ['v1.0.0-rc', 'latest'] } },
        { image: { repoURL: 'ghcr.io/b', semverConstraint: '^2', allowTagsRegexes: ['^2'], allowTags: '^v2' } },
        { git: { repoURL: 'https://g', ignoreTagsRegexes: ['^x'], ignoreTags: ['wip(1)'] } },
      ];
    });
    expect(r.issues).toEqual([]);
    expect((r.manifests[0] as Warehouse).spec.subscriptions).toEqual([
      { image: { repoURL: 'ghcr.io/a', imageSelectionStrategy: 'Lexical', allowTagsRegexes: ['^v1'], ignoreTagsRegexes: ['^v1\\.0\\.0-rc$', '^latest$'] } },
      { image: { repoURL: 'ghcr.io/b', constraint: '^2', allowTagsRegexes: ['^2', '^v2'] } },
      { git: { repoURL: 'https://g', ignoreTagsRegexes: ['^x', '^wip\\(1\\)$'] } },
    ]);
    const P = 'pipeline.yaml: document 1 (Warehouse app)';
    expect(r.hints).toEqual([
      `${P}: tagSelectionStrategy is Kargo's old spelling; use imageSelectionStrategy`,
      `${P}: allowTags is deprecated in Kargo (discovery fails since v1.11); use allowTagsRegexes`,
      `${P}: ignoreTags is Kargo's old spelling (a list of exact tags; Kargo's discovery refuses it since v1.11): Shunt ignores exactly those tags; use ignoreTagsRegexes: ["^v1\\\\.0\\\\.0-rc$","^latest$"]`,
      `${P}: semverConstraint is Kargo's old spelling for image subscriptions; use constraint`,
      `${P}: ignoreTags is Kargo's old spelling (a list of exact tags; Kargo's discovery refuses it since v1.11): Shunt ignores exactly those tags; use ignoreTagsRegexes: ["^wip\\\\(1\\\\)$"]`,
    ]);
  });
});

describe('PromotionTask and ClusterPromotionTask', () => {
  it.each<[string, Raw, (d: Raw) => void, string[]]>([
    ['a task referencing a task', task(), (d) => (d.spec.steps[0] = { task: { name: 'x' } }), ['pipeline.yaml: document 1 (PromotionTask deploy): spec.steps[0].task: a task cannot reference another task; use uses']],
    ['a step without uses', task(), (d) => (d.spec.steps[0] = { as: 'x' }), ['pipeline.yaml: document 1 (PromotionTask deploy): spec.steps[0].uses: required']],
    ['a duplicate alias', task(), (d) => (d.spec.steps[0].as = 'push'), ['pipeline.yaml: document 1 (PromotionTask deploy): spec.steps[1].as: step alias "push" duplicates that of steps[0]']],
    ['no steps', task(), (d) => (d.spec.steps = []), ['pipeline.yaml: document 1 (PromotionTask deploy): spec.steps: must have at least 1 item']],
    [
      'a cluster task with a namespace',
      task('ClusterPromotionTask'),
      (d) => (d.metadata.namespace = 'demo'),
      ['pipeline.yaml: document 1 (ClusterPromotionTask deploy): metadata.namespace: not allowed: this kind is cluster-scoped'],
    ],
  ])('reports %s', (_label, base, mutate, expected) => {
    expect(issues(base, mutate)).toEqual(expected);
  });
});

describe('Project and ProjectConfig', () => {
  it.each<[string, Raw, (d: Raw) => void, string[]]>([
    ['a Project with a namespace', project(), (d) => (d.metadata.namespace = 'demo'), ['pipeline.yaml: document 1 (Project demo): metadata.namespace: not allowed: this kind is cluster-scoped']],
    [
      'a ProjectConfig not named like its namespace',
      projectConfig(),
      (d) => (d.metadata.name = 'other'),
      ['pipeline.yaml: document 1 (ProjectConfig other): metadata.name: a ProjectConfig must be named like its project ("demo")'],
    ],
    [
      'a policy with both stage and stageSelector',
      projectConfig(),
      (d) => (d.spec.promotionPolicies[0].stage = 'dev'),
      ['pipeline.yaml: document 1 (ProjectConfig demo): spec.promotionPolicies[0]: expected exactly one of stage or stageSelector'],
    ],
    [
      'a bad autoRollback value',
      projectConfig(),
      (d) => (d.spec.promotionPolicies[0].autoRollback = { onVerification: ['Errored'] }),
      ['pipeline.yaml: document 1 (ProjectConfig demo): spec.promotionPolicies[0].autoRollback.onVerification[0]: expected one of Failed, Error, got "Errored"'],
    ],
  ])('reports %s', (_label, base, mutate, expected) => {
    expect(issues(base, mutate)).toEqual(expected);
  });

  it('accepts Enterprise fields and hints that they are ignored', () => {
    const r = parse(projectConfig(), (d) => {
      d.spec.promotionPolicies[0].autoRollback = {};
      d.spec.promotionWindows = [{ kind: 'PromotionWindow', name: 'weekdays' }];
      d.spec.webhookReceivers = [{ name: 'gh', github: { secretRef: { name: 's' } } }];
    });
    expect(r.issues).toEqual([]);
    expect(r.hints).toEqual([
      'pipeline.yaml: document 1 (ProjectConfig demo): autoRollback is a Kargo Enterprise field; Shunt ignores it',
      'pipeline.yaml: document 1 (ProjectConfig demo): promotionWindows is a Kargo Enterprise field; Shunt ignores it',
    ]);
  });

  it('defaults a missing ProjectConfig spec to {}', () => {
    const r = parse(projectConfig(), (d) => delete d.spec);
    expect(r.manifests[0]).toEqual({ apiVersion: API, kind: 'ProjectConfig', metadata: { name: 'demo', namespace: 'demo' }, spec: {} });
  });

  it('accepts and keeps an old-style Project spec with a hint', () => {
    const r = parse(project(), (d) => (d.spec = { promotionPolicies: [] }));
    expect(r.issues).toEqual([]);
    expect(r.hints).toEqual([
      'pipeline.yaml: document 1 (Project demo): Project spec is ignored (Kargo moved it to ProjectConfig in v1.7); put promotionPolicies in a ProjectConfig',
    ]);
  });
});
