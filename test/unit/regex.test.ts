/**
 * Issue 13, finding 6: `(repeat('a',28)+'!') matches '^(a+)+$'` stalled the worker ~46 s and an
 * allowTags regex of that shape stalled every scan (JS's backtracking RegExp). Every user pattern
 * now runs on core/regex.ts (RE2: Go's syntax, linear time), and a pattern RE2 refuses is refused
 * at apply time, naming the field. A source scan fails if `new RegExp(` appears outside it.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { evaluateExpression } from '../../core/expressions/index.js';
import { formatIssue, parseManifests } from '../../core/manifests/index.js';
import { nameMatches } from '../../core/project/auto-promotion.js';
import { globMatches } from '../../core/rbac/rbac.js';
import { compileGlob, compileRegex, regexProblem } from '../../core/regex.js';
import { pathFilter } from '../../core/warehouse/path-filters.js';
import { tagFilter } from '../../core/warehouse/tag-filters.js';
import { matchCredential } from '../../activities/adapters/credential-match.js';

const EVIL = '^(a+)+$';
const INPUT = `${'a'.repeat(28)}!`;
const LONG = `${'a'.repeat(50_000)}!`;

describe('catastrophic patterns finish (RE2, linear time)', () => {
  it('in an expression: matches', () => {
    expect(evaluateExpression(`(repeat('a', 28) + '!') matches '${EVIL}'`, { variables: {} })).toBe(false);
    expect(evaluateExpression(`(repeat('a', 5000) + '!') matches '(a|aa)+$' `, { variables: {} })).toBe(false);
  }, 30_000);

  it('in tag filters, path filters, stage selectors, credential repoURL regexes and globs', () => {
    expect(tagFilter({ allowTagsRegexes: [EVIL] })(INPUT)).toBe(false);
    expect(tagFilter({ ignoreTagsRegexes: ['^(a|a)*$'] })(LONG)).toBe(true);
    expect(pathFilter({ includePaths: [`regex:${EVIL}`] })!([INPUT, LONG])).toBe(false);
    expect(nameMatches(`regexp:${EVIL}`, INPUT)).toBe(false);
    expect(matchCredential([{ name: 's', type: 'git', data: { repoURL: EVIL, repoURLIsRegex: 'true', password: 'p' } }], 'git', INPUT)).toBeUndefined();
    // Globs with many stars are polynomial on a backtracking engine; on RE2 they are linear.
    const stars = `${'*a'.repeat(20)}b`;
    expect(globMatches(stars, LONG)).toBe(false);
    expect(nameMatches(`glob:${stars}`, LONG)).toBe(false);
    expect(pathFilter({ includePaths: [`glob:${stars}`] })!([LONG])).toBe(false);
  }, 30_000);
});

describe("Go's syntax", () => {
  it.each([
    ['(?P<major>\\d+)\\.', 'v1.2', true],
    ['(?<major>\\d+)\\.', 'v1.2', true],
    ['(?i)^hello$', 'HELLO', true],
    ['^abc\\z', 'abc', true],
    ['^abc\\z', 'abc\n', false],
    ['\\Aabc', 'abc', true],
    ['[[:digit:]]+', 'v12', true],
    ['\\Qa.b\\E', 'a.b', true],
    ['\\Qa.b\\E', 'axb', false],
    ['(?s)a.b', 'a\nb', true],
    ['a.b', 'a\nb', false],
    ['^\\pL+$', 'héllo', true],
  ])('%s on %j: %s', (pattern, input, expected) => {
    expect(compileRegex(pattern).test(input)).toBe(expected);
    expect(evaluateExpression(`s matches p`, { variables: { s: input, p: pattern } })).toBe(expected);
  });

  it.each([
    ['(?=a)', 'invalid or unsupported Perl syntax: `(?=`'],
    ['(?!prod)', 'invalid or unsupported Perl syntax: `(?!`'],
    ['(?<=a)b', 'invalid named capture: `(?<=a)b`'],
    ['(a)\\1', 'invalid escape sequence: `\\1`'],
    ['(', 'missing closing ): `(`'],
    ['a{1001}', 'invalid repeat count: `{1001}`'],
  ])('refuses %s: %s', (pattern, reason) => {
    expect(regexProblem(pattern)).toBe(reason);
    expect(() => evaluateExpression(`'a' matches '${pattern.replace(/\\/g, '\\\\')}'`, { variables: {} })).toThrow(/invalid regular expression/);
  });

  it('globs keep their forms: path globs stop at /, ** crosses it, rbac globs have only *', () => {
    expect(compileGlob('charts/*/values.yaml', { pathSeparator: true }).test('charts/app/values.yaml')).toBe(true);
    expect(compileGlob('charts/*/values.yaml', { pathSeparator: true }).test('charts/a/b/values.yaml')).toBe(false);
    expect(compileGlob('charts/**/values.yaml', { pathSeparator: true }).test('charts/a/b/values.yaml')).toBe(true);
    expect(compileGlob('prod-?', {}).test('prod-1')).toBe(true);
    expect(globMatches('prod?', 'prod1')).toBe(false);
    expect(globMatches('prod?', 'prod?')).toBe(true);
    expect(globMatches('team-(a)*', 'team-(a)-x')).toBe(true);
  });
});

describe('a pattern RE2 refuses is refused at apply time, naming the field', () => {
  const P = 'pipeline.yaml';
  const issues = (yaml: string): string[] => parseManifests(yaml, P).issues.map(formatIssue);

  it('Warehouse tag filters and path filters', () => {
    const yaml = `apiVersion: kargo.akuity.io/v1alpha1
kind: Warehouse
metadata: {name: app, namespace: demo}
spec:
  subscriptions:
  - image: {repoURL: ghcr.io/org/app, allowTagsRegexes: ['^v(?=1)'], ignoreTagsRegexes: ['(a)\\1']}
  - git: {repoURL: 'https://g/x.git', includePaths: ['regex:^(?!docs/)', 'glob:**/*.yaml', 'plain/dir'], excludePaths: ['regexp:(?<=x)y']}
`;
    expect(issues(yaml)).toEqual([
      `${P}: document 1 (Warehouse app): spec.subscriptions[0].image.allowTagsRegexes[0]: invalid regular expression: invalid or unsupported Perl syntax: \`(?=\` (Go RE2 syntax)`,
      `${P}: document 1 (Warehouse app): spec.subscriptions[0].image.ignoreTagsRegexes[0]: invalid regular expression: invalid escape sequence: \`\\1\` (Go RE2 syntax)`,
      `${P}: document 1 (Warehouse app): spec.subscriptions[1].git.includePaths[0]: invalid regular expression: invalid or unsupported Perl syntax: \`(?!\` (Go RE2 syntax)`,
      `${P}: document 1 (Warehouse app): spec.subscriptions[1].git.excludePaths[0]: invalid regular expression: invalid named capture: \`(?<=x)y\` (Go RE2 syntax)`,
    ]);
  });

  it('ProjectConfig stage selectors', () => {
    const yaml = `apiVersion: kargo.akuity.io/v1alpha1
kind: ProjectConfig
metadata: {name: demo, namespace: demo}
spec:
  promotionPolicies:
  - stageSelector: {name: 'regex:^(?!prod)'}
    autoPromotionEnabled: true
  - stageSelector: {name: 'regexp:^dev-\\d+$'}
    autoPromotionEnabled: true
`;
    expect(issues(yaml)).toEqual([
      `${P}: document 1 (ProjectConfig demo): spec.promotionPolicies[0].stageSelector.name: invalid regular expression: invalid or unsupported Perl syntax: \`(?!\` (Go RE2 syntax)`,
    ]);
  });
});

describe('one engine for user patterns', () => {
  const root = fileURLToPath(new URL('../..', import.meta.url));
  const files = (dir: string): string[] =>
    fs.readdirSync(path.join(root, dir), { withFileTypes: true, recursive: true })
      .filter((e) => e.isFile() && e.name.endsWith('.ts'))
      .map((e) => path.relative(root, path.join(e.parentPath, e.name)));

  it('no `new RegExp(` / `RegExp(` outside core/regex.ts, but reviewed exceptions on our own constants', () => {
    const found = ['core', 'workflows', 'activities', 'api', 'cli', 'worker', 'launcher']
      .flatMap(files)
      .filter((f) => f !== path.join('core', 'regex.ts'))
      .flatMap((f) => {
        const lines = fs.readFileSync(path.join(root, f), 'utf8').split('\n');
        return lines
          .map((line, i) => ({ where: `${f}:${i + 1}`, line, before: lines[i - 1] ?? '' }))
          .filter(({ line }) => /\bRegExp\s*\(/.test(line) && !/^\s*(\/\/|\*)/.test(line))
          // A reviewed exception says so, and why, right above it.
          .filter(({ before }) => !before.includes('eslint-disable-next-line no-restricted-syntax'))
          .map(({ where }) => where);
      });
    expect(found).toEqual([]);
  });
});
