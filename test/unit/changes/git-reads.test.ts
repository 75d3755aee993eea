import { cutUtf8, gitReadKey, projectRepoURLs, pushedCommits } from '../../../core/changes/git-reads.js';

const A = 'a'.repeat(40);
const B = 'b'.repeat(40);

describe('pushedCommits', () => {
  it('takes the commit and branch outputs of succeeded push steps, each commit once, in step order', () => {
    const steps = [
      { alias: 'commit', uses: 'git-commit', status: 'Succeeded' },
      { alias: 'push', uses: 'git-push', status: 'Succeeded' },
      { alias: 'push-again', uses: 'git-push', status: 'Succeeded' },
      { alias: 'gh', uses: 'github-push', status: 'Succeeded' },
    ];
    const outputs = { commit: { commit: 'c'.repeat(40) }, push: { commit: A, branch: 'main' }, 'push-again': { commit: A }, gh: { commit: B } };
    expect(pushedCommits(steps, outputs)).toEqual([{ sha: A, branch: 'main' }, { sha: B }]);
  });

  it.each([
    ['a failed push', { alias: 'push', uses: 'git-push', status: 'Failed' }, { push: { commit: A } }],
    ['a push without outputs', { alias: 'push', uses: 'git-push', status: 'Succeeded' }, undefined],
    ['a short commit id', { alias: 'push', uses: 'git-push', status: 'Succeeded' }, { push: { commit: 'deadbeef' } }],
    ['a commit that is not text', { alias: 'push', uses: 'git-push', status: 'Succeeded' }, { push: { commit: 42 } }],
  ])('finds nothing in %s', (_what, step, outputs) => {
    expect(pushedCommits([step], outputs)).toEqual([]);
  });
});

describe('projectRepoURLs', () => {
  it('collects git subscriptions, freight commits, literal git step repoURLs and vars, each repository once', () => {
    const specs = {
      warehouses: { app: { spec: { subscriptions: [{ image: { repoURL: 'ghcr.io/acme/app' } }, { git: { repoURL: 'https://github.com/acme/src.git' } }] } } },
      stages: {
        dev: {
          spec: {
            vars: [{ name: 'gitopsRepo', value: 'https://github.com/acme/gitops' }, { name: 'replicas', value: '3' }],
            promotionTemplate: {
              spec: {
                steps: [
                  { uses: 'git-clone', config: { repoURL: 'git@github.com:acme/other.git' } },
                  { uses: 'git-clone', config: { repoURL: '${{ vars.gitopsRepo }}' } },
                  { uses: 'helm-update-chart', config: { repoURL: 'https://charts.example.com' } },
                ],
              },
            },
          },
        },
      },
      tasks: { t: { spec: { vars: [{ name: 'repo', value: 'https://github.com/acme/gitops.git' }], steps: [] } } },
    };
    const freight = [{ commits: [{ repoURL: 'https://GitHub.com/acme/src' }, { repoURL: 'file:///srv/git/local.git' }] }];
    expect(projectRepoURLs(specs, freight)).toEqual([
      'https://github.com/acme/src.git',
      'file:///srv/git/local.git',
      'https://github.com/acme/gitops',
      'git@github.com:acme/other.git',
    ]);
  });
});

describe('gitReadKey', () => {
  it('is the same for the same repositories in another order or spelling, and differs by commit', () => {
    const base = { kind: 'promotion-changes' as const, project: 'p', promotion: 'dev.1', pushed: [{ sha: A }] };
    expect(gitReadKey({ ...base, repoURLs: ['https://x/a.git', 'https://x/b'] })).toBe(gitReadKey({ ...base, repoURLs: ['https://x/b.git', 'https://x/a'] }));
    expect(gitReadKey({ ...base, repoURLs: ['https://x/a'] })).not.toBe(gitReadKey({ ...base, pushed: [{ sha: B }], repoURLs: ['https://x/a'] }));
  });
});

describe('cutUtf8', () => {
  it('keeps text within the limit as it is', () => {
    expect(cutUtf8('héllo', 6)).toEqual({ text: 'héllo', cut: false });
  });

  it('cuts at a character boundary', () => {
    expect(cutUtf8('aé', 2)).toEqual({ text: 'a', cut: true });
    expect(cutUtf8('aéb', 3)).toEqual({ text: 'aé', cut: true });
  });
});
