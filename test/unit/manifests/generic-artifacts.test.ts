/**
 * Kargo's generic subscriptions and artifacts. A Warehouse subscription keyed by anything but
 * image, git or chart is a generic subscription: Kargo's open-source build registers no subscriber
 * for one and refuses it at apply, and so does Shunt, naming the field. Freight may still carry
 * generic `artifacts` (Kargo's ArtifactReference): they are kept, hashed into the id
 * (`artifactType:subscriptionName:version`), shown, and read by `artifactFrom(name, origin)`.
 */
import { createHash } from 'node:crypto';
import { evaluateExpression, kargoFunctions, renderString } from '../../../core/expressions/index.js';
import { freightContentFromManifest, freightId } from '../../../core/freight/freight-id.js';
import { formatIssue, parseManifests } from '../../../core/manifests/index.js';
import type { FreightManifest } from '../../../core/model.js';
import { applyResources, emptyProjectState } from '../../../core/project/apply.js';
import { toReference } from '../../../core/project/promotions.js';
import { freightCreationCriteriaSatisfied } from '../../../core/warehouse/criteria.js';

const HEAD = 'apiVersion: kargo.akuity.io/v1alpha1\n';

describe('generic subscriptions', () => {
  const warehouse = (subs: string): string => `${HEAD}kind: Warehouse\nmetadata: {name: w, namespace: p}\nspec:\n  subscriptions:\n${subs}`;
  const issues = (subs: string): string[] => parseManifests(warehouse(subs), 'w.yaml').issues.map(formatIssue);
  const REFUSED = (type: string, i: number): string =>
    `w.yaml: document 1 (Warehouse w): spec.subscriptions[${i}].${type}: no subscriber for subscription type "${type}": ` +
    "Kargo's open-source build discovers only git, image and chart subscriptions and refuses other types at apply " +
    '(a generic subscription needs a subscriber Kargo registers), and so does Shunt';

  it('are refused at apply, naming the type, as by Kargo without a registered subscriber', () => {
    expect(issues('    - image: {repoURL: ghcr.io/example/app}\n    - name: models\n      huggingface: {config: {repo: org/model}, discoveryLimit: 5}\n')).toEqual([
      REFUSED('huggingface', 1),
    ]);
  });

  it("also say what Kargo's webhook checks of them: a name, an object config, discoveryLimit 1-100, one type", () => {
    expect(issues('    - acme: {discoveryLimit: 500, config: [1]}\n    - name: x\n      image: {repoURL: ghcr.io/example/b}\n      acme: {}\n')).toEqual([
      'w.yaml: document 1 (Warehouse w): spec.subscriptions[0].name: required for subscriptions of this type',
      'w.yaml: document 1 (Warehouse w): spec.subscriptions[0].acme.config: expected object, got array',
      'w.yaml: document 1 (Warehouse w): spec.subscriptions[0].acme.discoveryLimit: must be at most 100',
      REFUSED('acme', 0),
      REFUSED('acme', 1),
      'w.yaml: document 1 (Warehouse w): spec.subscriptions[1]: expected exactly one of image, git or chart, got image and acme',
    ]);
  });

  it('`subscription` is a type like any other key (Kargo unpacks every non-git/image/chart key so)', () => {
    expect(issues('    - name: s\n      subscription: {subscriptionType: acme}\n')).toEqual([REFUSED('subscription', 0)]);
  });
});

describe('Freight artifacts', () => {
  const freightDoc = (extra: string): string => `${HEAD}kind: Freight\nmetadata: {namespace: p}\norigin: {kind: Warehouse, name: w}\n${extra}`;
  const ARTIFACTS =
    'artifacts:\n  - {artifactType: application/vnd.example.model, subscriptionName: models, version: v2, metadata: {digest: abc, size: 3}}\n';

  function parsed(extra: string): FreightManifest {
    const r = parseManifests(freightDoc(extra), 'f.yaml');
    expect(r.issues.map(formatIssue)).toEqual([]);
    return r.manifests[0] as FreightManifest;
  }

  it("are hashed into the id as Kargo's GenerateFreightID does", () => {
    const m = parsed(`images: [{repoURL: ghcr.io/example/app, tag: "1.0.0"}]\n${ARTIFACTS}`);
    const parts = ['application/vnd.example.model:models:v2', 'ghcr.io/example/app:1.0.0@'].sort();
    const expected = createHash('sha1').update(`Warehouse/w:${parts.join('|')}`).digest('hex');
    expect(m.metadata.name).toBe(expected);
    expect(m.artifacts).toEqual([{ artifactType: 'application/vnd.example.model', subscriptionName: 'models', version: 'v2', metadata: { digest: 'abc', size: 3 } }]);
  });

  it('alone are enough (Kargo counts them as artifacts); an empty list changes no id', () => {
    expect(parsed(ARTIFACTS).metadata.name).toHaveLength(40);
    const without = parsed('images: [{repoURL: ghcr.io/example/app, tag: "1.0.0"}]\n');
    const empty = parsed('images: [{repoURL: ghcr.io/example/app, tag: "1.0.0"}]\nartifacts: []\n');
    expect(empty.metadata.name).toBe(without.metadata.name);
    expect(freightContentFromManifest(empty)).toEqual(freightContentFromManifest(without));
  });

  it.each([
    ['a missing version', 'artifacts: [{subscriptionName: m}]\n', 'artifacts[0].version: required'],
    ['a missing subscriptionName', 'artifacts: [{version: v1}]\n', 'artifacts[0].subscriptionName: required'],
    ['metadata that is not an object', 'artifacts: [{subscriptionName: m, version: v1, metadata: [1]}]\n', 'artifacts[0].metadata: expected object, got array'],
    ['an empty artifactType', 'artifacts: [{artifactType: "", subscriptionName: m, version: v1}]\n', 'artifacts[0].artifactType'],
  ])('%s is refused, naming the field', (_, extra, problem) => {
    const r = parseManifests(freightDoc(extra), 'f.yaml');
    expect(r.issues.map(formatIssue).join('\n')).toContain(problem);
  });

  it('are kept on the freight the project records and on the references stages hold', () => {
    const state = emptyProjectState('p', '2026-01-01T00:00:00Z');
    const m = parsed(`images: [{repoURL: ghcr.io/example/app, tag: "1.0.0"}]\n${ARTIFACTS}`);
    const w = parseManifests(`${HEAD}kind: Warehouse\nmetadata: {name: w, namespace: p}\nspec: {subscriptions: [{image: {repoURL: ghcr.io/example/app}}]}\n`, 'w.yaml').manifests;
    applyResources(state, { resources: [...(w as never[]), m], clusterTasks: [] }, '2026-01-01T00:00:00Z', () => 0.5);
    const record = state.freight[m.metadata.name]!;
    expect(record.artifacts).toEqual(m.artifacts);
    expect(toReference(record).artifacts).toEqual(m.artifacts);
    expect(freightId(record)).toBe(m.metadata.name);
  });
});

describe('artifactFrom()', () => {
  const freight = {
    id: 'c',
    items: {
      'Warehouse/w': {
        name: 'f',
        alias: 'a',
        origin: { kind: 'Warehouse' as const, name: 'w' },
        commits: [],
        images: [],
        charts: [],
        artifacts: [{ artifactType: 'application/vnd.example.model', subscriptionName: 'models', version: 'v2', metadata: { digest: 'abc' } }],
      },
    },
  };
  const ev = (src: string): unknown => evaluateExpression(src, { variables: {}, functions: kargoFunctions({ freight, requestedOrigins: ['w'] }) });

  it("with an origin: the artifact of that subscription, Kargo's fields and Go names both readable", () => {
    expect(ev("artifactFrom('models', warehouse('w')).version")).toBe('v2');
    expect(ev("artifactFrom('models', warehouse('w')).Version")).toBe('v2');
    expect(ev("artifactFrom('models', warehouse('w')).ArtifactType")).toBe('application/vnd.example.model');
    expect(ev("artifactFrom('models', warehouse('w')).Metadata.digest")).toBe('abc');
    expect(renderString("${{ artifactFrom('models', warehouse('w')).metadata }}", { variables: {}, functions: kargoFunctions({ freight }) })).toEqual({ digest: 'abc' });
  });

  it('nil for an unknown subscription or origin, and without an origin (no warehouse has a generic subscription)', () => {
    expect(ev("artifactFrom('other', warehouse('w'))")).toBeNull();
    expect(ev("artifactFrom('models', warehouse('x'))")).toBeNull();
    expect(ev("artifactFrom('models')")).toBeNull();
  });

  it.each([
    ['artifactFrom()', 'artifactFrom: expected 1-2 arguments, got 0'],
    ['artifactFrom(1)', 'artifactFrom: first argument must be string, got int'],
    ["artifactFrom('m', 'w')", 'artifactFrom: second argument must be FreightOrigin, got string'],
  ])('%s: %s', (src, message) => {
    expect(() => ev(src)).toThrow(message);
  });

  it('in freight creation criteria: nil (nothing is discovered for a generic subscription), its arity checked', () => {
    // Kargo evaluates criteria only when something was discovered: one image subscription here.
    const found = { discoveredAt: '2026-01-01T00:00:00Z', subscriptions: [{ kind: 'image', repoURL: 'ghcr.io/org/app', images: [{ tag: 'v1' }] }] };
    expect(freightCreationCriteriaSatisfied("artifactFrom('models') == nil", found as never)).toEqual({ ok: true, create: true });
    // Kargo's signature func(name string): expr refuses a second argument when compiling.
    const bad = freightCreationCriteriaSatisfied("artifactFrom('a', 'b') == nil", found as never);
    expect(bad).toMatchObject({ ok: false, reason: expect.stringContaining('error compiling expression: too many arguments to call artifactFrom') });
    const field = freightCreationCriteriaSatisfied("artifactFrom('a').version == ''", found as never);
    expect(field).toMatchObject({ ok: false, reason: expect.stringContaining('has no field version') });
  });
});
