import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { formatIssue, parseManifests } from '../../../core/manifests/index.js';
import type { FreightManifest, Stage, Warehouse } from '../../../core/model.js';

const fixture = (name: string): string =>
  readFileSync(fileURLToPath(new URL(`../../fixtures/manifests/${name}`, import.meta.url)), 'utf8');

const API = 'apiVersion: kargo.akuity.io/v1alpha1';

function issuesOf(text: string): string[] {
  return parseManifests(text, 'pipeline.yaml').issues.map(formatIssue);
}

describe('parseManifests: the three-stage fixture', () => {
  const parsed = parseManifests(fixture('three-stage.yaml'), 'three-stage.yaml');

  it('parses every document without issues, and names an older step spelling', () => {
    expect(parsed.issues.map(formatIssue)).toEqual([]);
    expect(parsed.hints).toEqual([
      "three-stage.yaml: document 6 (Stage staging): spec.promotionTemplate.spec.steps[1] (set-image): images[0] has neither tag nor digest and takes the promoted freight's tag; the current spelling is tag: ${{ imageFrom('ghcr.io/example/guestbook').Tag }}",
    ]);
    expect(parsed.manifests.map((m) => `${m.kind}/${m.metadata.name}`)).toEqual([
      'Project/demo',
      'ProjectConfig/demo',
      'Warehouse/app',
      'PromotionTask/update-image',
      'Stage/dev',
      'Stage/staging',
      'Stage/prod',
    ]);
  });

  it('produces the model types', () => {
    const warehouse = parsed.manifests.find((m): m is Warehouse => m.kind === 'Warehouse');
    expect(warehouse).toEqual({
      apiVersion: 'kargo.akuity.io/v1alpha1',
      kind: 'Warehouse',
      metadata: { name: 'app', namespace: 'demo' },
      spec: {
        interval: '5m0s',
        subscriptions: [
          {
            image: {
              repoURL: 'ghcr.io/example/guestbook',
              imageSelectionStrategy: 'SemVer',
              constraint: '^1.0.0',
              discoveryLimit: 10,
            },
          },
        ],
      },
    });
    const prod = parsed.manifests.find((m): m is Stage => m.kind === 'Stage' && m.metadata.name === 'prod');
    expect(prod?.spec).toEqual({
      requestedFreight: [
        {
          origin: { kind: 'Warehouse', name: 'app' },
          sources: { stages: ['staging'], requiredSoakTime: '1h', autoPromotionOptions: { selectionPolicy: 'MatchUpstream' } },
        },
      ],
      promotionTemplate: {
        spec: {
          steps: [
            { task: { name: 'update-image' }, as: 'deploy', vars: [{ name: 'overlay', value: 'prod' }] },
            {
              uses: 'git-push',
              as: 'tag-release',
              if: '${{ success() }}',
              continueOnError: true,
              config: { path: './src', tag: 'release-${{ ctx.stage }}' },
            },
          ],
        },
      },
      verification: { soak: { duration: '2h' } },
    });
  });
});

describe('parseManifests: documents', () => {
  it('skips empty documents but keeps counting them', () => {
    const text = `---\n# only a comment\n---\n${API}\nkind: Project\nmetadata: {name: demo}\n---\n---\n${API}\nkind: Project\nmetadata: {name: Bad}\n`;
    const r = parseManifests(text, 'pipeline.yaml');
    expect(r.manifests.map((m) => m.metadata.name)).toEqual(['demo']);
    expect(r.issues.map(formatIssue)).toEqual([
      `pipeline.yaml: document 4 (Project Bad): metadata.name: "Bad" is not a valid name: use lowercase letters, digits, '-' and '.', starting and ending with a letter or digit`,
    ]);
  });

  it('parses an empty file to nothing', () => {
    expect(parseManifests('', 'pipeline.yaml')).toEqual({ manifests: [], issues: [], hints: [] });
  });

  it('flattens kubectl-style Lists and locates issues inside them', () => {
    const text = [
      'apiVersion: v1',
      'kind: List',
      'items:',
      `  - ${API}`,
      '    kind: Project',
      '    metadata: {name: demo}',
      `  - ${API}`,
      '    kind: Warehouse',
      '    metadata: {name: app, namespace: demo}',
      '    spec: {subscriptions: []}',
    ].join('\n');
    const r = parseManifests(text, 'pipeline.yaml');
    expect(r.manifests.map((m) => m.kind)).toEqual(['Project']);
    expect(r.issues.map(formatIssue)).toEqual([
      'pipeline.yaml: document 1 (Warehouse app): items[1].spec.subscriptions: must have at least 1 item',
    ]);
  });

  it('drops a top-level status and server-set metadata', () => {
    const text = [
      API,
      'kind: Project',
      'metadata:',
      '  name: demo',
      '  uid: 1234',
      '  resourceVersion: "99"',
      '  creationTimestamp: "2024-01-01T00:00:00Z"',
      '  labels: {team: a}',
      'status:',
      '  conditions: []',
    ].join('\n');
    const r = parseManifests(text, 'pipeline.yaml');
    expect(r.issues).toEqual([]);
    expect(r.manifests).toEqual([
      { apiVersion: 'kargo.akuity.io/v1alpha1', kind: 'Project', metadata: { name: 'demo', labels: { team: 'a' } } },
    ]);
  });

  it.each([
    ['a YAML syntax error', 'kind: Project\nmetadata:\n  name: x\n  name: y\n', 'pipeline.yaml: document 1: YAML syntax error at line 4, column 3: Map keys must be unique'],
    ['a bad indentation', 'a: b\n  c: d\n', 'pipeline.yaml: document 1: YAML syntax error at line 1, column 4: Nested mappings are not allowed in compact mappings'],
    ['an unclosed flow sequence', `${API}\nkind: [\n`, 'pipeline.yaml: document 1: YAML syntax error at line 3, column 1: Flow sequence in block collection must be sufficiently indented and end with a ]'],
    ['a document that is a list', '- a\n- b\n', 'pipeline.yaml: document 1: expected a mapping with apiVersion, kind and metadata, got array'],
    ['a document that is a string', 'hello\n', 'pipeline.yaml: document 1: expected a mapping with apiVersion, kind and metadata, got string'],
    ['a missing kind', `${API}\nmetadata: {name: x}\n`, 'pipeline.yaml: document 1: kind: required'],
    ['a kind that is not a string', `${API}\nkind: 3\n`, 'pipeline.yaml: document 1: kind: expected string, got number'],
    [
      'an unknown kind',
      `${API}\nkind: Foo\nmetadata: {name: x}\n`,
      'pipeline.yaml: document 1 (Foo x): kind: unknown kind Foo; expected one of Project, ProjectConfig, Warehouse, Stage, PromotionTask, ClusterPromotionTask, ClusterConfig, Freight, AnalysisTemplate, ClusterAnalysisTemplate',
    ],
    [
      'an AnalysisTemplate without spec',
      'apiVersion: argoproj.io/v1alpha1\nkind: AnalysisTemplate\nmetadata: {name: smoke, namespace: demo}\n',
      'pipeline.yaml: document 1 (AnalysisTemplate smoke): spec: required',
    ],
    [
      'a ClusterAnalysisTemplate without spec',
      'apiVersion: argoproj.io/v1alpha1\nkind: ClusterAnalysisTemplate\nmetadata: {name: smoke}\n',
      'pipeline.yaml: document 1 (ClusterAnalysisTemplate smoke): spec: required',
    ],
    [
      'a ClusterAnalysisTemplate with a namespace (it is cluster-scoped)',
      'apiVersion: argoproj.io/v1alpha1\nkind: ClusterAnalysisTemplate\nmetadata: {name: smoke, namespace: demo}\nspec: {metrics: [{name: m, provider: {web: {url: "http://x"}}}]}\n',
      'pipeline.yaml: document 1 (ClusterAnalysisTemplate smoke): metadata.namespace: not allowed: this kind is cluster-scoped',
    ],
    [
      'a wrong apiVersion',
      'apiVersion: kargo.akuity.io/v1beta1\nkind: Project\nmetadata: {name: demo}\n',
      'pipeline.yaml: document 1 (Project demo): apiVersion: expected "kargo.akuity.io/v1alpha1", got "kargo.akuity.io/v1beta1"',
    ],
    ['a missing apiVersion', 'kind: Project\nmetadata: {name: demo}\n', 'pipeline.yaml: document 1 (Project demo): apiVersion: required'],
    ['a List inside a List', 'kind: List\nitems:\n  - kind: List\n    items: []\n', 'pipeline.yaml: document 1 (List): items[0].kind: a List cannot contain another List'],
    ['a List without items', 'kind: List\n', 'pipeline.yaml: document 1 (List): items: required'],
  ])('reports %s', (_label, text, expected) => {
    expect(issuesOf(text)).toEqual([expected]);
  });

  it('reports issues of several documents with their numbers and leaves the bad ones out', () => {
    const text = [
      `${API}\nkind: Project\nmetadata: {name: demo}`,
      `${API}\nkind: Project\nmetadata: {name: demo, color: red}`,
      `${API}\nkind: Warehouse\nmetadata: {name: app}\nspec: {subscriptions: [{image: {repoURL: x}}]}`,
    ].join('\n---\n');
    const r = parseManifests(text, 'pipeline.yaml');
    expect(r.manifests.map((m) => m.kind)).toEqual(['Project']);
    expect(r.issues.map(formatIssue)).toEqual([
      'pipeline.yaml: document 2 (Project demo): metadata: unknown field "color"',
      'pipeline.yaml: document 3 (Warehouse app): metadata.namespace: required',
    ]);
  });
});

describe('parseManifests: null means absent, as the Kubernetes API server prunes it', () => {
  it('accepts a Project with an empty spec (spec: null, common in Kargo docs) and gives no hint', () => {
    const r = parseManifests(`${API}\nkind: Project\nmetadata:\n  name: demo\nspec:\n`, 'pipeline.yaml');
    expect(r.issues).toEqual([]);
    expect(r.hints).toEqual([]);
    expect(r.manifests).toEqual([{ apiVersion: 'kargo.akuity.io/v1alpha1', kind: 'Project', metadata: { name: 'demo' } }]);
  });

  it('still requires what the CRD requires: a Stage with spec: null has no spec', () => {
    expect(issuesOf(`${API}\nkind: Stage\nmetadata: {name: dev, namespace: demo}\nspec:\n`)).toEqual(['pipeline.yaml: document 1 (Stage dev): spec: required']);
  });

  it('drops null optional fields at any depth, inside subscriptions and Lists too', () => {
    const text = [
      'kind: List',
      'items:',
      `- ${API}`,
      '  kind: Warehouse',
      '  metadata: {name: app, namespace: demo, labels: null}',
      '  spec:',
      '    interval: null',
      '    freightCreationCriteria:',
      '    subscriptions:',
      '    - image: {repoURL: ghcr.io/x/app, constraint: null, discoveryLimit: null, allowTagsRegexes: null}',
    ].join('\n');
    const r = parseManifests(text, 'pipeline.yaml');
    expect(r.issues).toEqual([]);
    expect((r.manifests[0] as Warehouse).spec).toEqual({ subscriptions: [{ image: { repoURL: 'ghcr.io/x/app' } }] });
  });

  it("keeps null inside a step's config, where it is data (free-form JSON in Kargo's CRD)", () => {
    const text = [
      API,
      'kind: PromotionTask',
      'metadata: {name: t, namespace: demo}',
      'spec:',
      '  vars: null',
      '  steps:',
      '  - uses: yaml-update',
      '    if: null',
      '    config: {path: a.yaml, updates: [{key: x, value: null}]}',
    ].join('\n');
    const r = parseManifests(text, 'pipeline.yaml');
    expect(r.issues).toEqual([]);
    expect(r.manifests[0]).toMatchObject({ spec: { steps: [{ uses: 'yaml-update', config: { path: 'a.yaml', updates: [{ key: 'x', value: null }] } }] } });
    expect((r.manifests[0] as { spec: { vars?: unknown; steps: { if?: unknown }[] } }).spec.vars).toBeUndefined();
  });

  it('still refuses a null list item', () => {
    expect(issuesOf(`${API}\nkind: Warehouse\nmetadata: {name: app, namespace: demo}\nspec:\n  subscriptions: [null]\n`)).toEqual([
      'pipeline.yaml: document 1 (Warehouse app): spec.subscriptions[0]: expected object, got null',
    ]);
  });
});

describe('parseManifests: Freight', () => {
  const freight = (extra: string): string =>
    `${API}\nkind: Freight\nmetadata: {namespace: demo}\norigin: {kind: Warehouse, name: app}\n${extra}`;

  it('names a Freight by its content-derived id', () => {
    const r = parseManifests(
      freight(
        'alias: first-light\nimages:\n  - repoURL: ghcr.io/example/app\n    tag: 1.2.3\n    digest: sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\n',
      ),
      'freight.yaml',
    );
    expect(r.issues).toEqual([]);
    const f = r.manifests[0] as FreightManifest;
    expect(f.metadata).toEqual({ name: '0e656f1bd5a62aa22d4b41274269421aaddb28f5', namespace: 'demo' });
    expect(f.alias).toBe('first-light');
  });

  it('replaces a user-given name and says so', () => {
    const r = parseManifests(
      `${API}\nkind: Freight\nmetadata: {name: mine, namespace: demo}\norigin: {kind: Warehouse, name: app}\ncommits: [{repoURL: 'https://github.com/a/b', id: abc}]\n`,
      'freight.yaml',
    );
    expect(r.manifests[0]?.metadata.name).toMatch(/^[0-9a-f]{40}$/);
    expect(r.hints).toEqual([
      `freight.yaml: document 1 (Freight mine): metadata.name is ignored: a Freight's name is its content-derived id (${r.manifests[0]?.metadata.name})`,
    ]);
  });

  it.each([
    ['no artifacts', '', 'pipeline.yaml: document 1 (Freight): expected at least one artifact in commits, images, charts or artifacts'],
    ['empty artifact lists', 'images: []\ncommits: []\n', 'pipeline.yaml: document 1 (Freight): expected at least one artifact in commits, images, charts or artifacts'],
    ['an image without a tag', 'images: [{repoURL: x}]\n', 'pipeline.yaml: document 1 (Freight): images[0].tag: required'],
    ['a commit without an id', "commits: [{repoURL: 'https://x'}]\n", 'pipeline.yaml: document 1 (Freight): commits[0].id: required'],
  ])('reports %s', (_label, extra, expected) => {
    expect(issuesOf(freight(extra))).toEqual([expected]);
  });
});
