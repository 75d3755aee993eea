/**
 * Kubernetes label selectors (core/label-selector.ts), as the API machinery reads them
 * (labels.NewRequirement, Selector.Matches, Selector.String): the ProjectConfig stageSelector and
 * argocd-update's app selector both go through this module.
 */
import { labelSelectorIssues, renderLabelSelector, selectorMatches, type LabelSelector } from '../../core/label-selector.js';
import { formatIssue, parseManifests } from '../../core/manifests/index.js';

const LABELS = { team: 'web', tier: 'front', env: 'prod' };

describe('selectorMatches', () => {
  it.each<[string, LabelSelector, boolean]>([
    ['empty selector selects everything', {}, true],
    ['matchLabels equal', { matchLabels: { team: 'web' } }, true],
    ['matchLabels different', { matchLabels: { team: 'db' } }, false],
    ['matchLabels missing label', { matchLabels: { owner: 'x' } }, false],
    ['In with the value', { matchExpressions: [{ key: 'tier', operator: 'In', values: ['back', 'front'] }] }, true],
    ['In without the value', { matchExpressions: [{ key: 'tier', operator: 'In', values: ['back'] }] }, false],
    ['In without the label', { matchExpressions: [{ key: 'owner', operator: 'In', values: ['a'] }] }, false],
    ['NotIn with the value', { matchExpressions: [{ key: 'env', operator: 'NotIn', values: ['prod'] }] }, false],
    ['NotIn with another value', { matchExpressions: [{ key: 'env', operator: 'NotIn', values: ['dev'] }] }, true],
    ['NotIn without the label', { matchExpressions: [{ key: 'owner', operator: 'NotIn', values: ['a'] }] }, true],
    ['Exists', { matchExpressions: [{ key: 'team', operator: 'Exists' }] }, true],
    ['Exists without the label', { matchExpressions: [{ key: 'owner', operator: 'Exists' }] }, false],
    ['DoesNotExist', { matchExpressions: [{ key: 'owner', operator: 'DoesNotExist' }] }, true],
    ['DoesNotExist with the label', { matchExpressions: [{ key: 'team', operator: 'DoesNotExist' }] }, false],
    [
      'requirements are ANDed',
      { matchLabels: { team: 'web' }, matchExpressions: [{ key: 'env', operator: 'In', values: ['prod'] }, { key: 'owner', operator: 'Exists' }] },
      false,
    ],
  ])('%s', (_, selector, expected) => {
    expect(selectorMatches(selector, LABELS)).toBe(expected);
  });

  it('reads an inherited property name as an absent label', () => {
    expect(selectorMatches({ matchExpressions: [{ key: 'constructor', operator: 'Exists' }] }, {})).toBe(false);
    expect(selectorMatches({ matchExpressions: [{ key: 'toString', operator: 'DoesNotExist' }] }, {})).toBe(true);
  });
});

describe('labelSelectorIssues', () => {
  it.each<[string, LabelSelector, string]>([
    ['In without values', { matchExpressions: [{ key: 'a', operator: 'In', values: [] }] }, 'matchExpressions.0.values: for operator In, values must not be empty'],
    ['NotIn without values', { matchExpressions: [{ key: 'a', operator: 'NotIn' }] }, 'matchExpressions.0.values: for operator NotIn, values must not be empty'],
    ['Exists with values', { matchExpressions: [{ key: 'a', operator: 'Exists', values: ['x'] }] }, 'matchExpressions.0.values: for operator Exists, values must be empty'],
    ['DoesNotExist with values', { matchExpressions: [{ key: 'a', operator: 'DoesNotExist', values: ['x'] }] }, 'matchExpressions.0.values: for operator DoesNotExist, values must be empty'],
    ['an unknown operator', { matchExpressions: [{ key: 'a', operator: 'Gt', values: ['1'] }] }, 'matchExpressions.0.operator: "Gt" is not a valid operator'],
    ['a bad key', { matchExpressions: [{ key: 'a b', operator: 'Exists' }] }, 'matchExpressions.0.key: invalid label key "a b"'],
    ['a bad key prefix', { matchLabels: { 'Example.com/x': 'y' } }, 'matchLabels.Example.com/x: invalid label key "Example.com/x": the prefix'],
    ['a bad value', { matchExpressions: [{ key: 'a', operator: 'In', values: ['-x'] }] }, 'matchExpressions.0.values.0: invalid label value "-x"'],
    ['a too long value', { matchLabels: { a: 'x'.repeat(64) } }, 'matchLabels.a: invalid label value'],
  ])('%s: %s', (_, selector, expected) => {
    const issues = labelSelectorIssues(selector).map((i) => `${i.path.join('.')}: ${i.message}`);
    expect(issues).toHaveLength(1);
    expect(issues[0]).toContain(expected);
  });

  it('accepts prefixed keys, empty values and every operator used rightly', () => {
    expect(
      labelSelectorIssues({
        matchLabels: { 'app.kubernetes.io/name': 'guestbook', empty: '' },
        matchExpressions: [
          { key: 'kargo.akuity.io/stage', operator: 'In', values: ['dev', 'test'] },
          { key: 'tier', operator: 'NotIn', values: ['db'] },
          { key: 'team', operator: 'Exists' },
          { key: 'legacy', operator: 'DoesNotExist', values: [] },
        ],
      }),
    ).toEqual([]);
  });
});

describe('renderLabelSelector', () => {
  it('writes the API syntax, sorted by key with sorted values', () => {
    expect(
      renderLabelSelector({
        matchLabels: { team: 'web' },
        matchExpressions: [
          { key: 'tier', operator: 'In', values: ['front', 'back'] },
          { key: 'env', operator: 'NotIn', values: ['prod'] },
          { key: 'legacy', operator: 'DoesNotExist' },
          { key: 'app.kubernetes.io/name', operator: 'Exists' },
        ],
      }),
    ).toBe('app.kubernetes.io/name,env notin (prod),!legacy,team=web,tier in (back,front)');
  });

  it('refuses a selector the API server would refuse', () => {
    expect(() => renderLabelSelector({ matchExpressions: [{ key: 'a', operator: 'In' }] })).toThrow(
      'invalid label selector: matchExpressions.0.values: for operator In, values must not be empty',
    );
  });
});

describe('ProjectConfig stageSelector', () => {
  const config = (expr: string): string => `apiVersion: kargo.akuity.io/v1alpha1
kind: ProjectConfig
metadata: { name: p, namespace: p }
spec:
  promotionPolicies:
    - stageSelector:
        matchExpressions:
          - ${expr}
      autoPromotionEnabled: true
`;

  it('is refused at apply when Kubernetes would refuse its expressions', () => {
    const r = parseManifests(config('{ key: tier, operator: In }'), 'pc.yaml');
    expect(r.issues.map(formatIssue)).toEqual([
      'pc.yaml: document 1 (ProjectConfig p): spec.promotionPolicies[0].stageSelector.matchExpressions[0].values: for operator In, values must not be empty',
    ]);
  });

  it('is accepted with valid expressions', () => {
    expect(parseManifests(config('{ key: tier, operator: NotIn, values: [db] }'), 'pc.yaml').issues).toEqual([]);
  });
});
