/**
 * `${{ }}` in a stage's verification args, as Kargo's AnalysisRun builder evaluates them
 * (pkg/rollouts/analysis_run_builder.go buildArgs): stage vars first, then each non-empty arg,
 * which must come out a string; plus the AnalysisRun metadata Kargo puts on the run.
 */
import {
  analysisRunMetadata,
  argsUseExpressions,
  DATA_FUNCTIONS,
  evaluateVerificationArgs,
  nativeArgValues,
  type ArgExpressionEnv,
} from '../../../core/verification/arg-expressions.js';
import { formatIssue, parseManifests } from '../../../core/manifests/index.js';

const freight = {
  id: 'c0ffee',
  items: {
    'Warehouse/app': {
      name: 'f1',
      alias: 'frozen-fox',
      origin: { kind: 'Warehouse' as const, name: 'app' },
      commits: [{ repoURL: 'https://github.com/example/repo.git', id: 'abc123' }],
      images: [{ repoURL: 'ghcr.io/example/app', tag: '1.4.0', digest: 'sha256:aa' }],
      charts: [],
    },
  },
};
const env: ArgExpressionEnv = { project: 'kargo-demo', stage: 'test', freight, requestedOrigins: ['app'] };

describe('evaluateVerificationArgs', () => {
  it("evaluates Kargo's docs example: commitFrom(url).ID", () => {
    expect(evaluateVerificationArgs([{ name: 'commit', value: '${{ commitFrom("https://github.com/example/repo.git").ID }}' }], env)).toEqual([
      { name: 'commit', value: 'abc123' },
    ]);
  });

  it('reads ctx.project, ctx.stage, the freight functions and the stage vars (each var seeing the ones before)', () => {
    const args = evaluateVerificationArgs(
      [
        { name: 'where', value: '${{ ctx.project }}/${{ ctx.stage }}' },
        { name: 'image', value: '${{ vars.image }}' },
        { name: 'plain', value: 'as written' },
        { name: 'number', value: '${{ quote(vars.replicas) }}' },
      ],
      {
        ...env,
        vars: [
          { name: 'repo', value: 'ghcr.io/example/app' },
          { name: 'image', value: '${{ vars.repo }}:${{ imageFrom(vars.repo).Tag }}' },
          { name: 'replicas', value: '${{ 3 }}' },
        ],
      },
    );
    expect(args).toEqual([
      { name: 'where', value: 'kargo-demo/test' },
      { name: 'image', value: 'ghcr.io/example/app:1.4.0' },
      { name: 'plain', value: 'as written' },
      { name: 'number', value: '3' },
    ]);
  });

  it('leaves out an arg with an empty value (Kargo leaves it unset: the template default applies)', () => {
    expect(evaluateVerificationArgs([{ name: 'a', value: '' }, { name: 'b', value: 'x' }], env)).toEqual([{ name: 'b', value: 'x' }]);
  });

  it('a missing artifact is nil, and nil is not a string', () => {
    expect(() => evaluateVerificationArgs([{ name: 'tag', value: '${{ imageFrom("ghcr.io/example/other") }}' }], env)).toThrow(
      'verification args[0] "tag": the value is not a string but nil; use quote(…) to make it one',
    );
  });

  it.each([
    ['${{ 42 }}', 'the value is not a string but int'],
    ['${{ true }}', 'the value is not a string but bool'],
    ['${{ {"a": 1} }}', 'the value is not a string but map'],
  ])('%s: refused, naming the arg (%s)', (value, problem) => {
    expect(() => evaluateVerificationArgs([{ name: 'x', value }], env)).toThrow(`verification args[0] "x": ${problem}`);
  });

  it('a broken expression names the arg; a broken var names the var', () => {
    expect(() => evaluateVerificationArgs([{ name: 'x', value: '${{ 1 + }}' }], env)).toThrow(/^verification args\[0\] "x": /);
    expect(() => evaluateVerificationArgs([{ name: 'x', value: 'a' }], { ...env, vars: [{ name: 'v', value: '${{ nope( }}' }] })).toThrow(
      /^verification vars "v": /,
    );
  });

  it('has no step-status functions (Kargo: the verification environment has none)', () => {
    expect(() => evaluateVerificationArgs([{ name: 'x', value: '${{ quote(success()) }}' }], env)).toThrow(/verification args\[0\] "x": .*success/);
  });

  it('reads data through the lookups it is given', () => {
    const args = evaluateVerificationArgs([{ name: 't', value: "${{ secret('creds').token }}" }], env, {
      secrets: (name) => (name === 'creds' ? { token: 'abc' } : undefined),
    });
    expect(args).toEqual([{ name: 't', value: 'abc' }]);
  });
});

describe('nativeArgValues (evaluated in the workflow)', () => {
  it('returns args without expressions as they are', () => {
    const args = [{ name: 'a', value: '' }, { name: 'b', value: '${ not an expression }' }];
    expect(argsUseExpressions(args)).toBe(false);
    expect(nativeArgValues(args, env)).toEqual({ ok: true, args });
  });

  it('evaluates expressions', () => {
    expect(nativeArgValues([{ name: 'a', value: '${{ ctx.stage }}' }], env)).toEqual({ ok: true, args: [{ name: 'a', value: 'test' }] });
  });

  it.each([...DATA_FUNCTIONS])(
    '%s() is refused with a reason (its value would be kept in workflow history)',
    (fn) => {
      const r = nativeArgValues([{ name: 'a', value: `\${{ quote(${fn}('x')) }}` }], env);
      expect(r).toEqual({
        ok: false,
        message: `verification args: ${fn}() can be used only when Argo Rollouts runs the analysis in a cluster: Shunt evaluates the args of a native analysis inside its workflow, whose history would keep what it reads`,
      });
    },
  );

  it('also refuses a data function in a stage var an arg uses', () => {
    const r = nativeArgValues([{ name: 'a', value: '${{ vars.t }}' }], { ...env, vars: [{ name: 't', value: "${{ secret('s').t }}" }] });
    expect(r.ok).toBe(false);
  });

  it('an expression error is a reason, not a throw', () => {
    expect(nativeArgValues([{ name: 'a', value: '${{ 1 }}' }], env)).toEqual({
      ok: false,
      message: 'verification args[0] "a": the value is not a string but int; use quote(…) to make it one',
    });
  });
});

describe('analysisRunMetadata', () => {
  it("puts the stage's labels and annotations on the run, Kargo's stage label last", () => {
    expect(analysisRunMetadata('dev', { labels: { foo: 'bar', 'kargo.akuity.io/stage': 'other' }, annotations: { bat: 'baz' } })).toEqual({
      labels: { foo: 'bar', 'kargo.akuity.io/stage': 'dev' },
      annotations: { bat: 'baz' },
    });
  });

  it('without metadata: only the stage label', () => {
    expect(analysisRunMetadata('dev', undefined)).toEqual({ labels: { 'kargo.akuity.io/stage': 'dev' } });
  });
});

describe('analysisRunMetadata at apply', () => {
  const stage = (meta: string): string => `apiVersion: kargo.akuity.io/v1alpha1
kind: Stage
metadata: {name: dev, namespace: p}
spec:
  requestedFreight: [{origin: {kind: Warehouse, name: w}, sources: {direct: true}}]
  verification:
    analysisTemplates: [{name: t}]
    analysisRunMetadata: ${meta}
`;
  const issues = (meta: string): string[] => parseManifests(stage(meta), 's.yaml').issues.map(formatIssue);

  it("accepts Kargo's docs example", () => {
    expect(issues('{labels: {foo: bar}, annotations: {bat: baz}}')).toEqual([]);
  });

  it('refuses labels and annotation keys the API server would refuse on the AnalysisRun', () => {
    expect(issues('{labels: {"bad key": x, ok: "-x"}, annotations: {"a/b/c": y}}')).toEqual([
      's.yaml: document 1 (Stage dev): spec.verification.analysisRunMetadata.labels["bad key"]: invalid label key "bad key": a name of at most 63 characters of letters, digits, \'-\', \'_\' and \'.\', starting and ending with a letter or digit',
      's.yaml: document 1 (Stage dev): spec.verification.analysisRunMetadata.labels.ok: invalid label value "-x": at most 63 characters of letters, digits, \'-\', \'_\' and \'.\', starting and ending with a letter or digit',
      's.yaml: document 1 (Stage dev): spec.verification.analysisRunMetadata.annotations["a/b/c"]: invalid annotation key "a/b/c": a name of at most 63 characters of letters, digits, \'-\', \'_\' and \'.\', starting and ending with a letter or digit',
    ]);
  });
});
