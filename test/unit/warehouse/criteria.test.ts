/**
 * Freight creation criteria as Kargo evaluates them. Cases are drawn from Kargo's
 * pkg/controller/warehouses/warehouses_test.go (Test_freightCreationCriteriaSatisfied) and
 * pkg/expressions/function/functions_test.go (Test_get{Image,Commit,Chart}FromDiscoveredArtifacts);
 * the compile-time messages are those expr-lang v1.17.8 gives for Kargo's function signatures.
 */
import { describe, expect, it } from '@jest/globals';
import { evaluateExpression } from '../../../core/expressions/index.js';
import { criteriaFunctions, freightCreationCriteriaSatisfied } from '../../../core/warehouse/criteria.js';
import { freightCreationCriteriaSatisfiedV1 } from '../../../core/warehouse/criteria-v1.js';
import type { DiscoveredArtifacts, DiscoveredSubscription } from '../../../core/warehouse/discovered.js';

const at = (subscriptions: DiscoveredSubscription[]): DiscoveredArtifacts => ({ discoveredAt: '2026-01-01T00:00:00Z', subscriptions });
const git = (repoURL: string, ...tags: string[]): DiscoveredSubscription => ({
  kind: 'git',
  repoURL,
  commits: tags.map((tag, i) => ({ id: `c${i}`, tag })),
});
const image = (repoURL: string, ...tags: string[]): DiscoveredSubscription => ({
  kind: 'image',
  repoURL,
  images: tags.map((tag) => ({ tag, digest: `sha256:${tag}` })),
});
const chart = (repoURL: string, versions: string[], name?: string): DiscoveredSubscription => ({
  kind: 'chart',
  repoURL,
  versions,
  ...(name === undefined ? {} : { name }),
});

describe('freightCreationCriteriaSatisfied: Kargo Test_freightCreationCriteriaSatisfied', () => {
  it.each<[string, string | undefined, DiscoveredArtifacts, boolean]>([
    ['no criteria expression', undefined, at([]), true],
    ['empty criteria expression', '  ', at([git('doesntmatter')]), true],
    ['no artifacts discovered', 'doesntmatter', at([]), true],
    [
      'commit tags match',
      "commitFrom('site/repo/frontend').Tag == commitFrom('site/repo/backend').Tag",
      at([git('site/repo/frontend', 'def456', 'abc123'), git('site/repo/backend', 'def456', 'abc123')]),
      true,
    ],
    [
      'commit tags do not match',
      "commitFrom('site/repo/frontend').Tag == commitFrom('site/repo/backend').Tag",
      at([git('site/repo/frontend', 'abc123'), git('site/repo/backend', 'def456')]),
      false,
    ],
    [
      'image tags match',
      "imageFrom('site/repo/frontend').Tag == imageFrom('site/repo/backend').Tag",
      at([image('site/repo/frontend', 'v1.0.0', 'v1.1.0'), image('site/repo/backend', 'v1.0.0', 'v1.1.0')]),
      true,
    ],
    [
      'image tags do not match',
      "imageFrom('site/repo/frontend').Tag == imageFrom('site/repo/backend').Tag",
      at([image('site/repo/frontend', 'v1.0.0'), image('site/repo/backend', 'v1.1.0')]),
      false,
    ],
    [
      'chart versions match with repo URL only',
      "chartFrom('site/repo/frontend').Version == chartFrom('site/repo/backend').Version",
      at([chart('site/repo/frontend', ['v1.0.0', 'v1.1.0']), chart('site/repo/backend', ['v1.0.0', 'v1.1.0'])]),
      true,
    ],
    [
      'chart versions match with repo URL and optional name',
      "chartFrom('site/repo/frontend', 'some-name').Version == \n\t\t\t\tchartFrom('site/repo/backend', 'some-other-name').Version",
      at([chart('site/repo/frontend', ['v1.0.0', 'v1.1.0'], 'some-name'), chart('site/repo/backend', ['v1.0.0', 'v1.1.0'], 'some-other-name')]),
      true,
    ],
    [
      'chart versions do not match with repo URL only',
      "chartFrom('site/repo/frontend').Version == chartFrom('site/repo/backend').Version",
      at([chart('site/repo/frontend', ['v1.0.0']), chart('site/repo/backend', ['v1.1.0'])]),
      false,
    ],
  ])('%s', (_, expression, found, create) => {
    expect(freightCreationCriteriaSatisfied(expression, found)).toEqual({ ok: true, create });
  });

  // Kargo runs the program with a nil environment: every name that is no function is an error.
  it('fails for an invalid criteria expression (invalid.expression)', () => {
    expect(freightCreationCriteriaSatisfied('invalid.expression', at([git('doesntmatter')]))).toEqual({
      ok: false,
      reason: 'freightCreationCriteria.expression: error running expression: cannot fetch invalid from <nil> at position 0 in `invalid.expression`',
    });
  });
});

describe('freightCreationCriteriaSatisfied: the result', () => {
  const found = at([image('reg.test/app', '1.0.0')]);

  // warehouses.go: a non-bool result is read with strconv.ParseBool(fmt.Sprintf("%v", result)).
  it.each<[string, boolean]>([
    ["'true'", true],
    ["'True'", true],
    ["'T'", true],
    ['1', true],
    ["'FALSE'", false],
    ['0', false],
  ])('%s is read as %s', (expression, create) => {
    expect(freightCreationCriteriaSatisfied(expression, found)).toEqual({ ok: true, create });
  });

  it.each<[string, string]>([
    ["imageFrom('reg.test/app').Tag", '1.0.0'],
    ['nil', '<nil>'],
    ['2', '2'],
  ])('%s is refused as Kargo refuses it', (expression, text) => {
    expect(freightCreationCriteriaSatisfied(expression, found)).toEqual({
      ok: false,
      reason: `freightCreationCriteria.expression: failed to parse freight creation criteria expression result "${text}" as bool: strconv.ParseBool: parsing "${text}": invalid syntax`,
    });
  });
});

describe('freightCreationCriteriaSatisfied: compile-time checks of Kargo function signatures', () => {
  const found = at([image('reg.test/app', '1.0.0'), git('https://git.test/c.git', 'v1'), chart('oci://reg.test/chart', ['1.0.0'])]);
  const reason = (expression: string): string => {
    const outcome = freightCreationCriteriaSatisfied(expression, found);
    if (outcome.ok) throw new Error(`expected ${expression} to be refused`);
    return outcome.reason;
  };

  it.each<[string, string]>([
    ['imageFrom()', 'not enough arguments to call imageFrom at position 0'],
    ["imageFrom('a', 'b')", 'too many arguments to call imageFrom at position 0'],
    ['imageFrom(1)', 'cannot use int as argument (type string) to call imageFrom at position 10'],
    ['imageFrom(nil)', 'cannot use nil as argument (type string) to call imageFrom at position 10'],
    ['commitFrom(1.5)', 'cannot use float64 as argument (type string) to call commitFrom at position 11'],
    ["commitFrom(['x'])", 'cannot use []interface {} as argument (type string) to call commitFrom at position 11'],
    ["commitFrom('a', warehouse('w'))", 'too many arguments to call commitFrom at position 0'],
    ['chartFrom()', 'not enough arguments to call chartFrom at position 0'],
    // With overloads, expr reports the last one's problem (Kargo registers (string, string), then (string)).
    ["chartFrom('a', 1)", 'too many arguments to call chartFrom at position 0'],
    ["chartFrom('a', 'b', 'c')", 'too many arguments to call chartFrom at position 0'],
    ['chartFrom(true)', 'cannot use bool as argument (type string) to call chartFrom at position 10'],
    ["imageFrom(imageFrom('a'))", 'cannot use v1alpha1.DiscoveredImageReference as argument (type string) to call imageFrom at position 10'],
    // Even where the call is never reached: expr checks the whole program before running it.
    ['false && imageFrom()', 'not enough arguments to call imageFrom at position 9'],
    // Fields are the Go structs' (DiscoveredImageReference has no RepoURL).
    ["imageFrom('reg.test/app').RepoURL == ''", 'type v1alpha1.DiscoveredImageReference has no field RepoURL at position 25'],
    ["imageFrom('reg.test/app').tag == '1.0.0'", 'type v1alpha1.DiscoveredImageReference has no field tag at position 25'],
    ["commitFrom('https://git.test/c.git').Message != ''", 'type v1alpha1.DiscoveredCommit has no field Message at position 36'],
    ["let c = chartFrom('oci://reg.test/chart'); c.Tag == ''", 'type v1alpha1.Chart has no field Tag at position 44'],
  ])('%s → %s', (expression, message) => {
    expect(reason(expression)).toBe(`freightCreationCriteria.expression: error compiling expression: ${message} in \`${expression}\``);
  });

  it('reports a syntax error as a compile error', () => {
    expect(reason('imageFrom(')).toMatch(/^freightCreationCriteria\.expression: error compiling expression: /);
  });

  // Arguments whose type expr cannot know are checked when the function runs (Kargo's messages).
  it.each<[string, string]>([
    ["imageFrom(fromJSON('1'))", 'first argument must be string, got int'],
    ['commitFrom($env)', 'first argument must be string, got <nil>'],
    ["chartFrom('oci://reg.test/chart', fromJSON('2'))", 'second argument must be string, got int'],
    ["warehouse('w') == nil", 'cannot fetch warehouse from <nil>'],
  ])('%s fails when run: %s', (expression, message) => {
    expect(reason(expression)).toMatch(`freightCreationCriteria.expression: error running expression: ${message} at position`);
  });

  it('reads nil for a repository that found nothing, and its field is a run-time error', () => {
    expect(freightCreationCriteriaSatisfied("imageFrom('reg.test/other') == nil", found)).toEqual({ ok: true, create: true });
    expect(freightCreationCriteriaSatisfied("imageFrom('reg.test/other')?.Tag == nil", found)).toEqual({ ok: true, create: true });
    expect(reason("imageFrom('reg.test/other').Tag == ''")).toMatch(/error running expression: cannot read field Tag of nil/);
  });
});

describe('criteria functions: Kargo Test_get{Image,Commit,Chart}FromDiscoveredArtifacts', () => {
  const call = (found: DiscoveredArtifacts, fn: 'imageFrom' | 'commitFrom' | 'chartFrom', ...args: unknown[]): unknown =>
    (criteriaFunctions(found)[fn] as (...a: unknown[]) => unknown)(...args);
  const none = at([]);

  it.each<[string, 'imageFrom' | 'commitFrom' | 'chartFrom', unknown[], string]>([
    ['imageFrom: wrong number of args', 'imageFrom', ['one', 'two'], 'expected 1 argument, got 2'],
    ['imageFrom: invalid arg type', 'imageFrom', [1], 'first argument must be string, got int'],
    ['commitFrom: wrong number of args', 'commitFrom', ['one', 'two'], 'expected 1 argument, got 2'],
    ['commitFrom: invalid arg type', 'commitFrom', [1], 'first argument must be string, got int'],
    ['chartFrom: wrong number of args', 'chartFrom', [], 'expected 1-2 arguments, got 0'],
    ['chartFrom: 1st arg type invalid', 'chartFrom', [1], 'first argument must be string, got int'],
    ['chartFrom: 2nd arg type invalid', 'chartFrom', ['oci://ghcr.io/akuity/kargo-charts/kargo', 2], 'second argument must be string, got int'],
  ])('%s', (_, fn, args, message) => {
    expect(() => call(none, fn, ...args)).toThrow(message);
  });

  it.each<['imageFrom' | 'commitFrom' | 'chartFrom', string]>([
    ['imageFrom', 'docker.io/example/repo'],
    ['commitFrom', 'https://example.com/repo.git'],
    ['chartFrom', 'oci://ghcr.io/akuity/kargo-charts/kargo'],
  ])('%s finds nothing in no artifacts: nil', (fn, url) => {
    expect(call(none, fn, url)).toBeNull();
  });

  it('imageFrom: the first reference of the (normalized) repository', () => {
    const found = at([image('docker.io/example/repo', 'v1.0.0', 'v1.1.0')]);
    expect(evaluateExpression("imageFrom('docker.io/example/repo').Tag", { variables: {}, functions: criteriaFunctions(found) })).toBe('v1.0.0');
    expect(evaluateExpression("imageFrom('example/repo').Tag", { variables: {}, functions: criteriaFunctions(found) })).toBe('v1.0.0');
  });

  it('commitFrom: the first commit, with its creator date as a time', () => {
    const found = at([
      { kind: 'git', repoURL: 'https://example.com/repo.git', commits: [{ id: 'a', tag: 'def456', creatorDate: '2023-09-17T02:00:00Z' }, { id: 'b', tag: 'abc123' }] },
    ]);
    const env = { variables: {}, functions: criteriaFunctions(found) };
    expect(evaluateExpression("commitFrom('https://example.com/repo.git').Tag", env)).toBe('def456');
    expect(evaluateExpression("commitFrom('https://example.com/repo.git').CreatorDate.Year()", env)).toBe(2023);
  });

  it('chartFrom: the first version, by repository and, when given, name', () => {
    const found = at([
      chart('oci://ghcr.io/other/chart-repo', ['v1.0.0', 'v1.1.0', 'v2.0.0'], 'other-chart'),
      chart('oci://ghcr.io/akuity/kargo-charts/kargo', ['v2.3.0', 'v2.2.0', 'v2.1.0']),
      chart('https://charts.example.com', ['v2.3.0', 'v2.2.0'], 'kargo'),
    ]);
    const env = { variables: {}, functions: criteriaFunctions(found) };
    expect(evaluateExpression("chartFrom('oci://ghcr.io/akuity/kargo-charts/kargo').Version", env)).toBe('v2.3.0');
    expect(evaluateExpression("chartFrom('https://charts.example.com', 'kargo').Version", env)).toBe('v2.3.0');
    expect(evaluateExpression("chartFrom('https://charts.example.com', 'other') == nil", env)).toBe(true);
  });
});

describe('criteria v1 (replay of histories recorded before Kargo checks)', () => {
  it('keeps its lenient reading', () => {
    expect(freightCreationCriteriaSatisfiedV1("imageFrom('reg.test/app').tag == '1.0.0'", at([image('reg.test/app', '1.0.0')]))).toEqual({
      ok: true,
      create: true,
    });
  });
});
