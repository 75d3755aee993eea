import { parseManifests, formatIssue } from '../../../core/manifests/index.js';
import { webhookReceivers } from '../../../core/manifests/webhook-receiver.js';
import type { Warehouse } from '../../../core/model.js';
import { warehousesForEvent } from '../../../core/warehouse/webhook-match.js';

const wh = (name: string, subscriptions: Warehouse['spec']['subscriptions']): Warehouse => ({
  apiVersion: 'kargo.akuity.io/v1alpha1',
  kind: 'Warehouse',
  metadata: { name, namespace: 'p' },
  spec: { subscriptions },
});

const WAREHOUSES = {
  main: wh('main', [{ git: { repoURL: 'https://github.com/Org/Repo.git', branch: 'main', includePaths: ['apps'] } }]),
  tags: wh('tags', [{ git: { repoURL: 'https://github.com/org/repo', commitSelectionStrategy: 'SemVer', ignoreTagsRegexes: ['-rc'] } }]),
  hub: wh('hub', [{ image: { repoURL: 'docker.io/library/nginx', allowTagsRegexes: ['^1\\.'] } }]),
  digest: wh('digest', [{ image: { repoURL: 'ghcr.io/org/app', imageSelectionStrategy: 'Digest', constraint: 'latest' } }]),
  chart: wh('chart', [{ chart: { repoURL: 'oci://ghcr.io/org/charts/app' } }]),
};

/** Kargo's refresh asks each SemVer selector whether the pushed tag is a version within its constraint. */
const SEMVER_WAREHOUSES = {
  img: wh('img', [{ image: { repoURL: 'ghcr.io/org/img', constraint: '^1.2' } }]),
  git: wh('git', [{ git: { repoURL: 'https://github.com/org/g', commitSelectionStrategy: 'SemVer', semverConstraint: '>1.2' } }]),
  lexical: wh('lexical', [{ git: { repoURL: 'https://github.com/org/g', commitSelectionStrategy: 'Lexical', semverConstraint: '>1.2' } }]),
  chart: wh('chart', [{ chart: { repoURL: 'oci://ghcr.io/org/charts/c', semverConstraint: '<2' } }]),
};

describe('warehousesForEvent', () => {
  it.each([
    ['a push to main with an included path', { kind: 'git' as const, repoURLs: ['git@github.com:org/repo.git', 'https://github.com/org/repo.git'], branch: 'main', changedPaths: ['apps/x.yaml'] }, ['main']],
    ['a push that touched only other paths', { kind: 'git' as const, repoURLs: ['https://github.com/org/repo'], branch: 'main', changedPaths: ['docs/a.md'] }, []],
    ['a push to another branch', { kind: 'git' as const, repoURLs: ['https://github.com/org/repo'], branch: 'dev' }, []],
    ['a release tag', { kind: 'git' as const, repoURLs: ['https://github.com/org/repo'], tag: 'v1.2.0' }, ['tags']],
    ['an ignored tag', { kind: 'git' as const, repoURLs: ['https://github.com/org/repo'], tag: 'v1.2.0-rc.1' }, []],
    ['an image tag the filters allow', { kind: 'image' as const, repoURLs: ['nginx'], tag: '1.27.0' }, ['hub']],
    ['an image tag the filters refuse', { kind: 'image' as const, repoURLs: ['nginx'], tag: 'mainline' }, []],
    ['the tracked tag of a Digest subscription', { kind: 'image' as const, repoURLs: ['ghcr.io/org/app'], tag: 'latest' }, ['digest']],
    ['another tag of a Digest subscription', { kind: 'image' as const, repoURLs: ['ghcr.io/org/app'], tag: 'v2' }, []],
    ['an OCI chart push', { kind: 'image' as const, repoURLs: ['ghcr.io/org/charts/app'], tag: '1.0.0' }, ['chart']],
    ['an unknown repository', { kind: 'image' as const, repoURLs: ['quay.io/x/y'] }, []],
    ['a generic call without URLs', { kind: 'any' as const, repoURLs: [] }, ['chart', 'digest', 'hub', 'main', 'tags']],
  ])('%s', (_n, event, expected) => {
    expect(warehousesForEvent(WAREHOUSES, [event])).toEqual(expected);
  });
});

describe('warehousesForEvent with semver constraints', () => {
  it.each([
    ['an image tag within the constraint', { kind: 'image' as const, repoURLs: ['ghcr.io/org/img'], tag: 'v1.4.0' }, ['img']],
    ['an image tag outside it', { kind: 'image' as const, repoURLs: ['ghcr.io/org/img'], tag: '2.0.0' }, []],
    ['an image tag that is not a strict version', { kind: 'image' as const, repoURLs: ['ghcr.io/org/img'], tag: '1.4' }, []],
    ['a git tag within >1.2 (SemVer only; Lexical ignores the constraint)', { kind: 'git' as const, repoURLs: ['https://github.com/org/g'], tag: 'v1.3.0' }, ['git', 'lexical']],
    ['a git tag 1.2.5, not >1.2 in Masterminds', { kind: 'git' as const, repoURLs: ['https://github.com/org/g'], tag: 'v1.2.5' }, ['lexical']],
    ['an OCI chart version within the constraint', { kind: 'image' as const, repoURLs: ['ghcr.io/org/charts/c'], tag: '1.9' }, ['chart']],
    ['an OCI chart version outside it', { kind: 'image' as const, repoURLs: ['ghcr.io/org/charts/c'], tag: '2.0.0' }, []],
  ])('%s', (_n, event, expected) => {
    expect(warehousesForEvent(SEMVER_WAREHOUSES, [event])).toEqual(expected);
  });
});

describe('ProjectConfig webhookReceivers', () => {
  const doc = (receivers: string): string => `apiVersion: kargo.akuity.io/v1alpha1
kind: ProjectConfig
metadata: {name: p, namespace: p}
spec:
  webhookReceivers:
${receivers}`;

  it('reads well-formed receivers', () => {
    const parsed = parseManifests(doc('  - {name: gh, github: {secretRef: {name: s}}}\n'), 'pc.yaml');
    expect(parsed.issues).toEqual([]);
    const pc = parsed.manifests[0] as { spec: { webhookReceivers?: Record<string, unknown>[] } };
    expect(webhookReceivers(pc.spec.webhookReceivers)).toEqual([{ name: 'gh', provider: 'github', secretName: 's' }]);
  });

  it.each([
    ['  - {name: a}\n', 'expected exactly one of github, gitlab, gitea, bitbucket, dockerhub, quay, harbor, artifactory, azure, generic'],
    ['  - {name: a, github: {secretRef: {name: s}}, quay: {secretRef: {name: s}}}\n', 'got github and quay'],
    ['  - {name: a, github: {}}\n', "required: the Secret holding the receiver's secret"],
    ['  - {name: a, slack: {}}\n', 'unknown webhook receiver type'],
  ])('refuses %j', (yaml, message) => {
    const parsed = parseManifests(doc(yaml), 'pc.yaml');
    expect(parsed.issues.map(formatIssue).join('\n')).toContain(message);
  });
});
