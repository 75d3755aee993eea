import { describe, expect, it } from '@jest/globals';
import type { FreightCollection, FreightReference } from '../../../core/promotion/types.js';
import {
  evaluateExpression,
  kargoFunctions,
  renderString,
  SemverValue,
  type KargoFunctionOptions,
  type StepStatusEntry,
} from '../../../core/expressions/index.js';

function item(name: string, content: Partial<FreightReference>): FreightReference {
  return {
    name: `freight-${name}`,
    alias: `alias-${name}`,
    origin: { kind: 'Warehouse', name },
    commits: [],
    images: [],
    charts: [],
    ...content,
  };
}

const freight: FreightCollection = {
  id: 'collection',
  items: {
    'Warehouse/app': item('app', {
      commits: [
        { repoURL: 'https://github.com/Example/Repo.git', id: 'abc123', branch: 'main', message: 'fix', author: 'ann' },
      ],
      images: [{ repoURL: 'ghcr.io/example/app', tag: '1.2.3', digest: 'sha256:aa', annotations: { team: 'web' } }],
      charts: [
        { repoURL: 'oci://ghcr.io/example/charts/app', version: '0.1.0' },
        { repoURL: 'https://charts.example.com', name: 'app', version: '1.0.0' },
      ],
    }),
    'Warehouse/shared': item('shared', {
      commits: [{ repoURL: 'https://github.com/example/repo', id: 'def456' }],
      images: [{ repoURL: 'ghcr.io/example/shared', tag: '2.0.0' }],
    }),
    'Warehouse/infra': item('infra', {
      images: [{ repoURL: 'ghcr.io/example/app', tag: '9.9.9' }],
    }),
  },
};

const options: KargoFunctionOptions = {
  freight,
  stepStatuses: [
    { alias: 'clone', status: 'Succeeded', continueOnError: false },
    { alias: 'flaky', status: 'Failed', continueOnError: true },
    { alias: 'update', status: 'Skipped', continueOnError: false },
  ],
  secrets: (name) => (name === 'db' ? { password: 's3cret' } : undefined),
  configMaps: (name): Record<string, string> => (name === 'settings' ? { region: 'eu' } : {}),
  freightMetadata: (name) => (name === 'freight-app' ? { approvedBy: 'ann', score: 9 } : undefined),
  sharedSecrets: (name) => (name === 'slack' ? { webhook: 'https://hooks.example/x' } : undefined),
  sharedConfigMaps: (name) => (name === 'global' ? { env: 'prod' } : undefined),
  freightStatus: (name) =>
    name === 'freight-app'
      ? { currentlyIn: { dev: { since: '2026-01-01T00:00:00Z' } }, verifiedIn: {}, approvedFor: { prod: { approvedAt: '2026-01-02T00:00:00Z' } } }
      : undefined,
  stageMetadata: (name) => (name === 'prod' ? { lastDeploy: 'today' } : undefined),
};

const run = (src: string, opts: KargoFunctionOptions = options): unknown =>
  evaluateExpression(src, { variables: {}, functions: kargoFunctions(opts) });

describe('kargoFunctions: warehouse and freight shortcuts', () => {
  it.each<[string, unknown]>([
    ["warehouse('app').Name", 'app'],
    ["warehouse('app').name", 'app'],
    ["warehouse('app').Kind", 'Warehouse'],
    // images: exact repoURL
    ["imageFrom('ghcr.io/example/shared').Tag", '2.0.0'],
    ["imageFrom('ghcr.io/example/shared').tag", '2.0.0'],
    ["imageFrom('ghcr.io/example/shared').RepoURL", 'ghcr.io/example/shared'],
    ["imageFrom('ghcr.io/example/shared').Digest", ''],
    ["imageFrom('ghcr.io/example/shared').Annotations['team']", null],
    ["imageFrom('ghcr.io/example/app', warehouse('app')).Annotations.team", 'web'],
    ["imageFrom('ghcr.io/example/app', warehouse('app')).Digest", 'sha256:aa'],
    ["imageFrom('ghcr.io/example/app', warehouse('infra')).Tag", '9.9.9'],
    ["imageFrom('ghcr.io/example/app', {kind: 'Warehouse', name: 'infra'}).tag", '9.9.9'],
    ["imageFrom('ghcr.io/example/unknown')", null],
    ["imageFrom('ghcr.io/example/app', warehouse('nope'))", null],
    ["imageFrom('GHCR.io/example/shared')", null],
    ["imageFrom('ghcr.io/example/unknown')?.Tag ?? 'latest'", 'latest'],
    // commits: normalised repoURL
    ["commitFrom('https://github.com/example/repo', warehouse('app')).ID", 'abc123'],
    ["commitFrom('https://user:token@github.com/example/repo/', warehouse('app')).id", 'abc123'],
    ["commitFrom('https://github.com/example/repo', warehouse('app')).Branch", 'main'],
    ["commitFrom('https://github.com/example/repo', warehouse('app')).Message", 'fix'],
    ["commitFrom('https://github.com/example/repo', warehouse('app')).Author", 'ann'],
    ["commitFrom('https://github.com/example/repo', warehouse('app')).Tag", ''],
    ["commitFrom('https://github.com/example/repo.git', warehouse('shared')).ID", 'def456'],
    ["commitFrom('https://github.com/example/other')", null],
    // charts: exact repoURL and name
    ["chartFrom('oci://ghcr.io/example/charts/app').Version", '0.1.0'],
    ["chartFrom('https://charts.example.com', 'app').Version", '1.0.0'],
    ["chartFrom('https://charts.example.com', 'app').Name", 'app'],
    ["chartFrom('https://charts.example.com')", null],
    ["chartFrom('https://charts.example.com', 'app', warehouse('app')).version", '1.0.0'],
    ["chartFrom('oci://ghcr.io/example/charts/app', warehouse('app')).RepoURL", 'oci://ghcr.io/example/charts/app'],
    ["chartFrom('oci://ghcr.io/example/charts/app', warehouse('shared'))", null],
    // generic artifacts are not modelled yet
    ["artifactFrom('anything')", null],
    ["artifactFrom('anything', warehouse('app'))", null],
  ])('%s → %j', (src, expected) => {
    expect(run(src)).toEqual(expected);
  });

  it.each<[string, string]>([
    [
      "imageFrom('ghcr.io/example/app')",
      "imageFrom: image repository ghcr.io/example/app is provided by more than one warehouse (app, infra); name one with warehouse('app') at position 0 in `imageFrom('ghcr.io/example/app')`",
    ],
    [
      "commitFrom('https://github.com/example/repo')",
      "commitFrom: git repository https://github.com/example/repo is provided by more than one warehouse (app, shared); name one with warehouse('app')",
    ],
  ])('%s is ambiguous', (src, message) => {
    expect(() => run(src)).toThrow(message);
  });

  it('searches only the requested warehouses when they are given', () => {
    const requested = { ...options, requestedOrigins: ['app', 'shared'] };
    expect(run("imageFrom('ghcr.io/example/app').Tag", requested)).toBe('1.2.3');
    expect(run("imageFrom('ghcr.io/example/app', warehouse('infra')).Tag", requested)).toBe('9.9.9');
  });

  it('returns nil without freight', () => {
    expect(run("imageFrom('ghcr.io/example/app')", {})).toBeNull();
    expect(run("commitFrom('https://github.com/example/repo')", {})).toBeNull();
  });

  it.each<[string, RegExp]>([
    // Kargo pkg/expressions/function/functions_test.go: Test_warehouse, Test_getImageFromFreight,
    // Test_getCommitFromFreight, Test_getChartFromFreight (messages as ErrorContains checks them).
    ['warehouse()', /warehouse: expected 1 argument, got 0/],
    ["warehouse('a', 'b')", /warehouse: expected 1 argument, got 2/],
    ["warehouse('')", /warehouse: name must not be empty/],
    ['warehouse(1)', /warehouse: argument must be string, got int/],
    ["imageFrom('x', 'app')", /imageFrom: second argument must be FreightOrigin, got string/],
    ["imageFrom('x', warehouse('a'), 3)", /imageFrom: expected 1-2 arguments, got 3/],
    ['imageFrom()', /imageFrom: expected 1-2 arguments, got 0/],
    ['commitFrom(1)', /commitFrom: first argument must be string, got int/],
    ["commitFrom('x', 1)", /commitFrom: second argument must be FreightOrigin, got int/],
    ['chartFrom()', /chartFrom: expected 1-3 arguments, got 0/],
    ["chartFrom('x', 'a', warehouse('a'), 4)", /chartFrom: expected 1-3 arguments, got 4/],
    ['chartFrom(1)', /chartFrom: first argument must be string, got int/],
    ["chartFrom('x', 1)", /chartFrom: second argument must be string or FreightOrigin, got int/],
    ["chartFrom('x', 'a', 'b')", /chartFrom: third argument must be FreightOrigin, got string/],
    ["chartFrom('x', warehouse('a'), warehouse('a'))", /chartFrom: when using three arguments, second argument must be string/],
    ["artifactFrom('s', 1)", /artifactFrom: second argument must be FreightOrigin, got int/],
  ])('%s fails with %s', (src, message) => {
    expect(() => run(src)).toThrow(message);
  });

  it('renders artifacts with Kargo JSON field names only', () => {
    const env = { variables: {}, functions: kargoFunctions(options) };
    expect(renderString("${{ imageFrom('ghcr.io/example/shared') }}", env)).toEqual({
      repoURL: 'ghcr.io/example/shared',
      tag: '2.0.0',
      digest: '',
    });
    expect(renderString("${{ warehouse('app') }}", env)).toEqual({ kind: 'Warehouse', name: 'app' });
    expect(renderString("${{ imageFrom('ghcr.io/example/app', warehouse('app')).Tag }}", env)).toBe('1.2.3');
    expect(renderString("${{ quote(imageFrom('ghcr.io/example/shared').Tag) }}", env)).toBe('2.0.0');
    expect(evaluateExpression("keys(imageFrom('ghcr.io/example/shared'))", env)).toEqual(['repoURL', 'tag', 'digest']);
  });
});

describe('kargoFunctions: data lookups', () => {
  it.each<[string, unknown]>([
    ["secret('db').password", 's3cret'],
    ["secret('missing')", {}],
    ["secret('missing').password", null],
    ["configMap('settings').region", 'eu'],
    ["configMap('missing')", {}],
    ["freightMetadata('freight-app').approvedBy", 'ann'],
    ["freightMetadata('freight-app').score", 9],
    ["freightMetadata('unknown')", null],
    ["stageMetadata('prod').lastDeploy", 'today'],
    ["stageMetadata('dev')", null],
    ["sharedSecret('slack').webhook", 'https://hooks.example/x'],
    ["sharedSecret('missing')", {}],
    ["sharedConfigMap('global').env", 'prod'],
    ["sharedConfigMap('missing')", {}],
    ["freightStatus('freight-app').currentlyIn.dev.since", '2026-01-01T00:00:00Z'],
    ["'prod' in freightStatus('freight-app').approvedFor", true],
    ["'dev' in freightStatus('freight-app').verifiedIn", false],
    ["freightStatus('unknown')", null],
    ["freightStatus('unknown')?.currentlyIn", null],
  ])('%s → %j', (src, expected) => {
    expect(run(src)).toEqual(expected);
  });

  it('gives empty maps and nil when no lookups are injected', () => {
    expect(run("secret('db')", {})).toEqual({});
    expect(run("configMap('x')", {})).toEqual({});
    expect(run("freightMetadata('x')", {})).toBeNull();
    expect(run("stageMetadata('x')", {})).toBeNull();
    expect(run("sharedSecret('x')", {})).toEqual({});
    expect(run("sharedConfigMap('x')", {})).toEqual({});
    expect(run("freightStatus('x')", {})).toBeNull();
  });

  it.each<[string, RegExp]>([
    ['secret()', /secret: expected 1 argument, got 0/],
    ['secret(1)', /secret: argument must be string, got int/],
    ["freightMetadata('')", /freightMetadata: argument must not be empty/],
    ["freightStatus('')", /freightStatus: argument must not be empty/],
    ["freightStatus('a', 'b')", /freightStatus: expected 1 argument, got 2/],
    ['configMap(nil)', /configMap: argument must be string, got nil/],
    ['sharedConfigMap()', /sharedConfigMap: expected 1 argument, got 0/],
  ])('%s fails with %s', (src, message) => {
    expect(() => run(src)).toThrow(message);
  });
});

describe('kargoFunctions: semver', () => {
  it.each<[string, unknown]>([
    ["semverParse('1.2.3').Major()", 1],
    ["semverParse('v1.2.3').Minor()", 2],
    ["semverParse('1.2.3').Patch()", 3],
    ["semverParse('1.2.3-rc.1+build.5').Prerelease()", 'rc.1'],
    ["semverParse('1.2.3-rc.1+build.5').Metadata()", 'build.5'],
    ["semverParse('v1.2').String()", '1.2.0'],
    ["semverParse('v1.2.3').Original()", 'v1.2.3'],
    ["semverParse('1.2.3').IncPatch().String()", '1.2.4'],
    ["semverParse('1.2.3-rc.1').IncPatch().String()", '1.2.3'],
    ["semverParse('1.2.3+meta').IncMinor().String()", '1.3.0'],
    ["semverParse('v1.2.3').IncMajor().String()", '2.0.0'],
    ["semverParse('v1.2.3').IncMajor().Original()", 'v2.0.0'],
    ["semverParse('1.2.3').IncMinor().IncPatch().String()", '1.3.1'],
    ["semverParse('1.2.3').LessThan(semverParse('1.10.0'))", true],
    ["semverParse('1.0.0-alpha').LessThan(semverParse('1.0.0'))", true],
    ["semverParse('1.0.0-alpha.2').GreaterThan(semverParse('1.0.0-alpha.10'))", false],
    ["semverParse('1.0.0').Compare('1.0.0+other')", 0],
    // Ordered by core/semver (uint64 parts), not by a second comparison on JS numbers.
    ["semverParse('1.9007199254740993.0').GreaterThan(semverParse('1.9007199254740992.0'))", true],
    ["semverParse('1.9007199254740992.0').IncMinor().String()", '1.9007199254740993.0'],
    ["semverParse('1.2.3') == semverParse('v1.2.3')", true],
    ["type(semverParse('1.2.3'))", '*semver.Version'],
    ["string(semverParse('v1.2.3'))", '1.2.3'],
  ])('%s → %j', (src, expected) => {
    expect(run(src)).toEqual(expected);
  });

  it('returns a SemverValue that serialises as its string', () => {
    const v = run("semverParse('v1.2.3')");
    expect(v).toBeInstanceOf(SemverValue);
    expect(JSON.stringify(v)).toBe('"1.2.3"');
    expect(renderString("${{ semverParse('v1.2.3') }}", { variables: {}, functions: kargoFunctions({}) })).toBe('1.2.3');
  });

  it.each<[string, string, string]>([
    ['1.0.0', '2.0.0', 'Major'],
    ['1.0.0', '1.1.0', 'Minor'],
    ['1.0.0', '1.0.1', 'Patch'],
    ['1.0.0+a', '1.0.0+b', 'Metadata'],
    ['1.0.0', 'v1.0.0', 'None'],
    ['1.0.0-alpha', '1.0.0-beta', 'None'],
    ['1.0.0', 'banana', 'Incomparable'],
  ])('semverDiff(%s, %s) → %s', (a, b, expected) => {
    expect(run(`semverDiff('${a}', '${b}')`)).toBe(expected);
  });

  it.each<[string, RegExp]>([
    ["semverParse('banana')", /invalid semantic version at position 0 in `semverParse\('banana'\)`/],
    ["semverParse('1.2.3-01')", /invalid semantic version: version segment starts with 0/],
    ["semverParse('1.2.3').Nope()", /type \*semver.Version has no method Nope/],
    ['semverDiff(1, "1.0.0")', /semverDiff: first argument must be string, got int/],
  ])('%s fails with %s', (src, message) => {
    expect(() => run(src)).toThrow(message);
  });
});

// Kargo pkg/expressions/function/functions_test.go Test_getStatus, case by case.
describe('status(): Kargo Test_getStatus', () => {
  const succeeded = (alias: string): StepStatusEntry => ({ alias, status: 'Succeeded', continueOnError: false });

  it.each<[string, string | undefined, StepStatusEntry[], string, string]>([
    ['basic usage; no hit', undefined, [succeeded('step-1')], 'non-existent-step', ''],
    ['basic usage; hit', undefined, [succeeded('step-1')], 'step-1', 'Succeeded'],
    ['used in a task; no alias match', 'task-2', [succeeded('step-1'), succeeded('task-1::step-2')], 'step-1', ''],
    ['used in a task; no namespace match', 'task-2', [succeeded('step-1'), succeeded('task-1::step-2')], 'step-1', ''],
    ['used in a task; hit', 'task-2', [succeeded('task-2::step-1')], 'step-1', 'Succeeded'],
  ])('%s', (_, taskAlias, stepStatuses, alias, expected) => {
    const opts: KargoFunctionOptions = { stepStatuses, ...(taskAlias === undefined ? {} : { taskAlias }) };
    expect(run(`status(${JSON.stringify(alias)})`, opts)).toBe(expected);
  });
});

describe('kargoFunctions: step status functions', () => {
  const failedEarlier: KargoFunctionOptions = {
    stepStatuses: [
      { alias: 'clone', status: 'Succeeded', continueOnError: false },
      { alias: 'task-1::push', status: 'Errored', continueOnError: false },
    ],
  };

  it.each<[string, KargoFunctionOptions, unknown]>([
    ['always()', options, true],
    ['success()', options, true],
    ['failure()', options, false],
    ['success()', {}, true],
    ['failure()', {}, false],
    ['failure()', failedEarlier, true],
    ['success()', failedEarlier, false],
    ['failure()', { stepStatuses: [{ alias: 'a', status: 'Failed', continueOnError: false }] }, true],
    ['failure()', { stepStatuses: [{ alias: 'a', status: 'Aborted', continueOnError: false }] }, false],
    ["status('clone')", options, 'Succeeded'],
    ["status('flaky')", options, 'Failed'],
    ["status('update')", options, 'Skipped'],
    ["status('unknown')", options, ''],
    ["status('push')", { ...failedEarlier, taskAlias: 'task-1' }, 'Errored'],
    // Kargo looks only inside the caller's namespace: a task step does not see top-level steps,
    // and a top-level step does not see a task's steps, not even by their full alias.
    ["status('clone')", { ...failedEarlier, taskAlias: 'task-1' }, ''],
    ["status('push')", failedEarlier, ''],
    ["status('task-1::push')", failedEarlier, ''],
    ["status('flaky') == 'Failed' && success()", options, true],
  ])('%s → %j', (src, opts, expected) => {
    expect(run(src, opts)).toEqual(expected);
  });

  it.each<[string, RegExp]>([
    ['always(1)', /always: expected 0 arguments, got 1/],
    ['failure(true)', /failure: expected 0 arguments, got 1/],
    ["status('')", /status: argument must not be empty/],
    ['status()', /status: expected 1 argument, got 0/],
  ])('%s fails with %s', (src, message) => {
    expect(() => run(src)).toThrow(message);
  });
});

describe('kargoFunctions: quoting helpers', () => {
  it.each<[string, unknown]>([
    ["quote('x')", '"x"'],
    ['quote(42)', '"42"'],
    ["quote('say \"hi\"\\n')", '"say \\"hi\\"\\n"'],
    ["unsafeQuote('x')", '""x""'],
    ['unsafeQuote([1])', '"[1]"'],
    ['asJSON({a: 1})', '"{\n  "a": 1\n}\n"'],
    ["asYAML({a: 'b'})", '"a: b\n"'],
  ])('%s → %j', (src, expected) => {
    expect(run(src)).toEqual(expected);
  });

  it('keeps quoted strings strings after rendering', () => {
    const env = { variables: { v: { tag: '1.20' } }, functions: kargoFunctions({}) };
    expect(renderString('${{ v.tag }}', env)).toBe(1.2);
    expect(renderString('${{ quote(v.tag) }}', env)).toBe('1.20');
    expect(renderString("${{ quote('say \"hi\"') }}", env)).toBe('say \\"hi\\"');
  });
});
