import { formatIssue, parseManifests } from '../../../core/manifests/index.js';

const template = (spec: string): string => `apiVersion: argoproj.io/v1alpha1
kind: AnalysisTemplate
metadata: {name: smoke, namespace: demo}
spec:
${spec}`;

function issuesOf(text: string): string[] {
  return parseManifests(text, 'checks.yaml').issues.map(formatIssue);
}

describe('AnalysisTemplate manifests', () => {
  it('parses a web and a prometheus metric with args, limits and Argo int-or-string counts', () => {
    // act
    const parsed = parseManifests(
      template(`  args: [{name: host}, {name: threshold, value: "0.95"}]
  metrics:
    - name: up
      count: "3"
      interval: 10s
      failureLimit: 1
      successCondition: result.ok == true
      provider: {web: {url: "http://{{args.host}}/health", jsonPath: "{$.status}"}}
    - name: rate
      successCondition: result[0] >= {{args.threshold}}
      provider: {prometheus: {address: "http://prom:9090", query: "sum(up)"}}`),
      'checks.yaml',
    );

    // assert
    expect(parsed.issues).toEqual([]);
    expect(parsed.manifests[0]).toMatchObject({
      kind: 'AnalysisTemplate',
      spec: { metrics: [{ name: 'up', count: 3, failureLimit: 1 }, { name: 'rate' }] },
    });
  });

  it.each<[string, string, string]>([
    ['no metrics', '  metrics: []', 'checks.yaml: document 1 (AnalysisTemplate smoke): spec.metrics: must have at least 1 item'],
    [
      'two providers in one metric',
      '  metrics: [{name: m, provider: {web: {url: "http://x"}, prometheus: {address: "http://p", query: "up"}}}]',
      'checks.yaml: document 1 (AnalysisTemplate smoke): spec.metrics[0].provider: expected exactly one provider, got web, prometheus',
    ],
    [
      'a metric without a provider',
      '  metrics: [{name: m, provider: {}}]',
      'checks.yaml: document 1 (AnalysisTemplate smoke): spec.metrics[0].provider: expected exactly one provider, got none',
    ],
    [
      'a condition that does not parse',
      '  metrics: [{name: m, successCondition: "result ==", provider: {web: {url: "http://x"}}}]',
      'checks.yaml: document 1 (AnalysisTemplate smoke): spec.metrics[0].successCondition: invalid expression: ',
    ],
    [
      'a bad interval',
      '  metrics: [{name: m, interval: soon, provider: {web: {url: "http://x"}}}]',
      'checks.yaml: document 1 (AnalysisTemplate smoke): spec.metrics[0].interval: ',
    ],
    [
      'a metric defined twice',
      '  metrics: [{name: m, provider: {web: {url: "http://x"}}}, {name: m, provider: {web: {url: "http://y"}}}]',
      'checks.yaml: document 1 (AnalysisTemplate smoke): spec.metrics[1].name: metric "m" is defined twice',
    ],
    [
      'count above 1 without an interval',
      '  metrics: [{name: m, count: 3, provider: {web: {url: "http://x"}}}]',
      'checks.yaml: document 1 (AnalysisTemplate smoke): spec.metrics[0].interval: required when count is above 1',
    ],
  ])('refuses %s', (_, spec, expected) => {
    // act
    const issues = issuesOf(template(spec));

    // assert
    expect(issues).toHaveLength(1);
    expect(issues[0]!.startsWith(expected)).toBe(true);
  });

  it('refuses the Kargo apiVersion on an AnalysisTemplate', () => {
    const text = template('  metrics: [{name: m, provider: {web: {url: "http://x"}}}]').replace('argoproj.io/v1alpha1', 'kargo.akuity.io/v1alpha1');
    expect(issuesOf(text)).toEqual([
      'checks.yaml: document 1 (AnalysisTemplate smoke): apiVersion: expected "argoproj.io/v1alpha1", got "kargo.akuity.io/v1alpha1"',
    ]);
  });
});
