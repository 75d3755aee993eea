import { orderChartVersions } from '../../../core/warehouse/chart-selection.js';
import { orderGitTags } from '../../../core/warehouse/git-selection.js';
import { newestBuildOrder, orderImageTags, parsePlatform, platformMatches } from '../../../core/warehouse/image-selection.js';
import { pathFilter } from '../../../core/warehouse/path-filters.js';
import { tagFilter } from '../../../core/warehouse/tag-filters.js';

const TAGS = ['1.0.0', 'v1.2.0', '1.10.0', '1.2', '2.0.0-rc.1', 'latest', 'abc', '1.9.9', '0.1.0'];

describe('orderImageTags', () => {
  it.each([
    ['SemVer, strict, no constraint', { imageSelectionStrategy: 'SemVer' as const }, ['2.0.0-rc.1', '1.10.0', '1.9.9', 'v1.2.0', '1.0.0', '0.1.0']],
    ['SemVer, loose', { strictSemvers: false }, ['2.0.0-rc.1', '1.10.0', '1.9.9', 'v1.2.0', '1.2', '1.0.0', '0.1.0']],
    ['SemVer with a constraint (prereleases excluded)', { constraint: '^1.2' }, ['1.10.0', '1.9.9', 'v1.2.0']],
    ['SemVer with a Masterminds comma constraint', { constraint: '>= 1.0, < 1.5' }, ['v1.2.0', '1.0.0']],
    ['Lexical', { imageSelectionStrategy: 'Lexical' as const }, ['v1.2.0', 'latest', 'abc', '2.0.0-rc.1', '1.9.9', '1.2', '1.10.0', '1.0.0', '0.1.0']],
    ['Digest tracks one tag', { imageSelectionStrategy: 'Digest' as const, constraint: 'latest' }, ['latest']],
    ['allow and ignore regexes (ignore wins)', { allowTagsRegexes: ['^1\\.'], ignoreTagsRegexes: ['^1\\.9'] }, ['1.10.0', '1.0.0']],
  ])('%s', (_name, sub, expected) => {
    expect(orderImageTags({ repoURL: 'r/a', ...sub }, TAGS)).toEqual(expected);
  });

  it('gives NewestBuild every eligible tag, ordered later by build time', () => {
    expect(orderImageTags({ repoURL: 'r/a', imageSelectionStrategy: 'NewestBuild', ignoreTagsRegexes: ['^latest$'] }, ['a', 'latest', 'b'])).toEqual(['a', 'b']);
    expect(
      newestBuildOrder([
        { tag: 'old', createdAt: '2024-01-01T00:00:00Z' },
        { tag: 'none' },
        { tag: 'new', createdAt: '2024-06-01T00:00:00Z' },
      ]).map((i) => i.tag),
    ).toEqual(['new', 'old', 'none']);
  });

  it('finds nothing for a Digest tag that does not exist', () => {
    expect(orderImageTags({ repoURL: 'r/a', imageSelectionStrategy: 'Digest', constraint: 'stable' }, TAGS)).toEqual([]);
  });

  it.each([
    [{ constraint: 'not a range!!' }, 'invalid semver constraint "not a range!!"'],
    [{ allowTagsRegexes: ['('] }, 'allowTagsRegexes: invalid regular expression "("'],
    [{ ignoreTagsRegexes: ['[z-a]'] }, 'ignoreTagsRegexes: invalid regular expression "[z-a]"'],
    [{ imageSelectionStrategy: 'Digest' as const }, 'constraint: required with imageSelectionStrategy Digest'],
  ])('rejects %j with a clear error', (sub, message) => {
    expect(() => orderImageTags({ repoURL: 'r/a', ...sub }, TAGS)).toThrow(message);
  });
});

describe('platforms', () => {
  it('parses os/arch[/variant] and matches', () => {
    expect(parsePlatform('linux/arm64/v8')).toEqual({ os: 'linux', architecture: 'arm64', variant: 'v8' });
    expect(platformMatches(parsePlatform('linux/arm64'), { os: 'linux', architecture: 'arm64', variant: 'v8' })).toBe(true);
    expect(platformMatches(parsePlatform('linux/arm64/v7'), { os: 'linux', architecture: 'arm64', variant: 'v8' })).toBe(false);
  });
  it.each(['linux', 'linux/', '/amd64', 'a/b/c/d'])('rejects %j', (text) => {
    expect(() => parsePlatform(text)).toThrow(`platform: ${JSON.stringify(text)} is not os/arch[/variant]`);
  });
});

describe('semver selection (Masterminds semantics, issue 17)', () => {
  const tags = ['1.2.0', '1.2.5', '1.3.0', '1.5.0', '1.5.1', '2.0.0', '1.2.5-beta', 'v1.4.0', '1.4'];
  it.each([
    ['>1.2', ['2.0.0', '1.5.1', '1.5.0', 'v1.4.0', '1.3.0']],
    ['>1.2.0', ['2.0.0', '1.5.1', '1.5.0', 'v1.4.0', '1.3.0', '1.2.5']],
    ['>=1.2 <2, !=1.5', ['v1.4.0', '1.3.0', '1.2.5', '1.2.0']],
    ['1.2.x-0', ['1.2.5', '1.2.5-beta', '1.2.0']],
  ])('image tags within %s', (constraint, expected) => {
    expect(orderImageTags({ repoURL: 'r/a', constraint }, tags)).toEqual(expected);
  });
  it('applies the same rules to git tags and chart versions', () => {
    const refs = tags.map((tag, i) => ({ tag, id: String(i) }));
    expect(orderGitTags({ repoURL: 'https://g/x.git', commitSelectionStrategy: 'SemVer', semverConstraint: '>1.2', strictSemvers: false }, refs).map((t) => t.tag)).toEqual(['2.0.0', '1.5.1', '1.5.0', 'v1.4.0', '1.4', '1.3.0']);
    expect(orderChartVersions({ repoURL: 'https://c', name: 'x', semverConstraint: '>=1.2 <2, !=1.5' }, tags)).toEqual(['v1.4.0', '1.4', '1.3.0', '1.2.5', '1.2.0']);
    expect(orderChartVersions({ repoURL: 'oci://r/x', semverConstraint: '^1' }, ['1.2.3_b1', '1.4', 'v1.3.0', '1.3.0'])).toEqual(['1.3.0', '1.2.3+b1']);
  });
  it('refuses a constraint Masterminds refuses', () => {
    expect(() => orderGitTags({ repoURL: 'https://g/x.git', commitSelectionStrategy: 'SemVer', semverConstraint: '>>>1.2' }, [])).toThrow('invalid semver constraint ">>>1.2": improper constraint: ">>>1.2"');
  });
});

describe('tagFilter', () => {
  it('allows everything when no regexes are given', () => {
    expect(tagFilter({})('x')).toBe(true);
  });
});

describe('git tags', () => {
  const tags = [
    { tag: 'v1.0.0', id: 'a', creatorDate: '2024-01-01T00:00:00Z' },
    { tag: 'v1.1.0', id: 'b', creatorDate: '2024-03-01T00:00:00Z' },
    { tag: 'release-b', id: 'c', creatorDate: '2024-05-01T00:00:00Z' },
    { tag: 'v2.0.0', id: 'd', creatorDate: '2024-02-01T00:00:00Z' },
  ];
  it.each([
    ['SemVer', { commitSelectionStrategy: 'SemVer' as const }, ['v2.0.0', 'v1.1.0', 'v1.0.0']],
    ['SemVer constrained', { commitSelectionStrategy: 'SemVer' as const, semverConstraint: '<2' }, ['v1.1.0', 'v1.0.0']],
    ['Lexical', { commitSelectionStrategy: 'Lexical' as const }, ['v2.0.0', 'v1.1.0', 'v1.0.0', 'release-b']],
    ['NewestTag', { commitSelectionStrategy: 'NewestTag' as const }, ['release-b', 'v1.1.0', 'v2.0.0', 'v1.0.0']],
    ['NewestTag, ignoring release-*', { commitSelectionStrategy: 'NewestTag' as const, ignoreTagsRegexes: ['^release-'] }, ['v1.1.0', 'v2.0.0', 'v1.0.0']],
  ])('%s', (_n, sub, expected) => {
    expect(orderGitTags({ repoURL: 'https://g/x.git', ...sub }, tags).map((t) => t.tag)).toEqual(expected);
  });
});

describe('path filters', () => {
  it.each([
    [{ includePaths: ['apps/web'] }, ['apps/web/main.go'], true],
    [{ includePaths: ['apps/web'] }, ['apps/webby/main.go'], false],
    [{ includePaths: ['glob:apps/*/Chart.yaml'] }, ['apps/api/Chart.yaml'], true],
    [{ includePaths: ['glob:**/*.md'] }, ['docs/a/b.md'], true],
    [{ includePaths: ['regex:^src/.*\\.ts$'] }, ['src/a/b.ts'], true],
    [{ excludePaths: ['docs'] }, ['docs/readme.md'], false],
    [{ excludePaths: ['docs'] }, ['docs/readme.md', 'src/x.ts'], true],
    [{ includePaths: ['src'], excludePaths: ['regexp:_test\\.go$'] }, ['src/a_test.go'], false],
  ])('%j with %j → %s', (spec, changed, expected) => {
    expect(pathFilter(spec)!(changed)).toBe(expected);
  });
  it('has no filter without paths, and names a bad regex', () => {
    expect(pathFilter({})).toBeUndefined();
    expect(() => pathFilter({ excludePaths: ['regex:('] })).toThrow('excludePaths: invalid regular expression "("');
  });
});

describe('chart versions', () => {
  it('orders by semver within the constraint and the limit', () => {
    expect(orderChartVersions({ repoURL: 'https://c', name: 'x', semverConstraint: '<2', discoveryLimit: 2 }, ['1.0.0', '2.0.0', '1.5.0', '0.9.0', 'junk'])).toEqual(['1.5.0', '1.0.0']);
  });
});
