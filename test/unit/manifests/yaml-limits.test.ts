/**
 * The YAML nesting limit: measured on the token stream before anything is parsed, so that a
 * deeply nested text is refused cheaply (the parser itself needs ~300 MB for 400 KB of `[[[`).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { formatIssue, parseManifests } from '../../../core/manifests/index.js';
import { MAX_YAML_DEPTH, yamlNestingProblem } from '../../../core/manifests/yaml-limits.js';

const fixture = (name: string): string =>
  readFileSync(fileURLToPath(new URL(`../../fixtures/manifests/${name}`, import.meta.url)), 'utf8');

const indented = (levels: number): string => `a:\n${Array.from({ length: levels }, (_, i) => `${' '.repeat(i + 1)}b:`).join('\n')} x\n`;

describe('yamlNestingProblem', () => {
  it('accepts real manifests and ordinary nesting', () => {
    expect(yamlNestingProblem(fixture('three-stage.yaml'))).toBeUndefined();
    expect(yamlNestingProblem(indented(20))).toBeUndefined();
    expect(yamlNestingProblem(`${'['.repeat(20)}${']'.repeat(20)}`)).toBeUndefined();
    expect(yamlNestingProblem(`k: |\n  ${'[ - '.repeat(500)}\n  ${'{'.repeat(500)}\n`)).toBeUndefined();
    expect(yamlNestingProblem(`k: "${'['.repeat(500)}"\nl: '${'{'.repeat(500)}'\n# ${'- '.repeat(500)}\n`)).toBeUndefined();
  });

  it.each([
    ['block sequences on one line', `${'- '.repeat(MAX_YAML_DEPTH + 1)}x\n`],
    ['flow collections', `${'['.repeat(MAX_YAML_DEPTH + 1)}${']'.repeat(MAX_YAML_DEPTH + 1)}`],
    ['flow mappings', `${'{a: '.repeat(MAX_YAML_DEPTH + 1)}1${'}'.repeat(MAX_YAML_DEPTH + 1)}`],
    ['indented mappings', indented(MAX_YAML_DEPTH + 1)],
  ])('refuses %s nested deeper than the limit', (_what, text) => {
    expect(yamlNestingProblem(text)).toEqual({ document: 1, message: `the YAML is nested deeper than ${MAX_YAML_DEPTH} levels; no manifest needs that many` });
  });

  it('names the document where the limit is crossed', () => {
    expect(yamlNestingProblem(`a: 1\n---\nb: 2\n---\n${'- '.repeat(100)}x\n`)?.document).toBe(3);
  });

  it('refuses megabytes of nesting without parsing them', () => {
    const text = '- '.repeat(2_000_000);
    expect(yamlNestingProblem(text)?.message).toMatch(/nested deeper than 64 levels/);
  });
});

describe('parseManifests with a text nested too deeply', () => {
  it('reports one issue and parses nothing', () => {
    const parsed = parseManifests(`apiVersion: kargo.akuity.io/v1alpha1\nkind: Project\nmetadata: {name: a}\n---\nx: ${'['.repeat(5000)}`, 'deep.yaml');
    expect(parsed.manifests).toEqual([]);
    expect(parsed.issues.map(formatIssue)).toEqual([`deep.yaml: document 2: the YAML is nested deeper than ${MAX_YAML_DEPTH} levels; no manifest needs that many`]);
  });

  it('still caps aliases (billion laughs) with a clear error', () => {
    const laughs = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (let i = 1; i < 9; i++) laughs.push(`${'b'.repeat(i)}: &${'b'.repeat(i)} [${Array(9).fill(`*${i === 1 ? 'a' : 'b'.repeat(i - 1)}`).join(',')}]`);
    const issues = parseManifests(laughs.join('\n'), 'laughs.yaml').issues.map(formatIssue);
    expect(issues).toEqual([expect.stringMatching(/^laughs\.yaml: document 1: YAML error: .*alias/i)]);
  });
});
