/**
 * Fault: the remote moves between a promotion's commit and its push (someone else's commit lands
 * on the branch). The push is rejected, the promotion's commit is rebased onto the new remote
 * head and pushed once: the branch holds the other commit and exactly one commit of the
 * promotion, and both changes. The push is caught at its first request by the git server's
 * proxy while the test lands the other commit.
 */
import { GatedProxy } from '../support/gated-proxy.js';
import { GitHttpServer } from '../support/git-server.js';
import { Disposer, commitToOrigin, git, tempDir } from '../support/git-repos.js';
import {
  deployedTag,
  freightManifest,
  gitopsRepo,
  projectManifests,
  promotionCommits,
  promotionSteps,
} from '../support/gitops-fixture.js';
import { ShuntApi } from '../support/shunt-api.js';
import { startShuntStack, type ShuntStack } from '../support/shunt-stack.js';

const PROJECT = 'race';
const disposer = new Disposer();
let stack: ShuntStack;
let proxy: GatedProxy;
const api = new ShuntApi(() => stack.url);

afterAll(async () => {
  await disposer.dispose();
}, 60_000);

describe('a push rejected because the remote moved', () => {
  it('is rebased onto the new remote head and pushed once', async () => {
    const repos = await tempDir(disposer, 'shunt-race-');
    const origin = await gitopsRepo(disposer, repos, 'race', ['dev']);
    const server = new GitHttpServer({ root: repos });
    await server.start();
    disposer.add(() => server.stop());
    proxy = new GatedProxy(server.baseURL);
    await proxy.start();
    disposer.add(() => proxy.stop());
    stack = await startShuntStack({ namespace: 'fault-race' });
    disposer.add(() => stack.stop());
    await api.apply('race.yaml', projectManifests(PROJECT, [{ name: 'dev', steps: promotionSteps(`${proxy.baseURL}/race.git`, 'dev') }]));
    await api.apply('freight.yaml', freightManifest(PROJECT, '4.0.0'));
    const freight = (await api.freight(PROJECT))[0]!.metadata.name;

    const push = proxy.hold((m, url) => m === 'GET' && url === '/race.git/info/refs?service=git-receive-pack', 'request');
    const name = await api.promote(PROJECT, 'dev', freight);
    await push.arrived;
    const other = await commitToOrigin(disposer, origin, { 'README.md': '# race\nedited by someone else\n' }, 'someone else was faster');
    push.release();

    const done = await api.finished(PROJECT, name);
    expect([done.status.phase, done.status.message]).toEqual(['Succeeded', undefined]);
    expect((await promotionCommits(origin.dir)).map((c) => c.promotion)).toEqual(['', name]);
    const [first] = await promotionCommits(origin.dir);
    expect(first!.sha).toBe(other);
    expect(await deployedTag(origin.dir, 'dev')).toBe('4.0.0');
    expect(await git(origin.dir, ['show', 'main:README.md'])).toBe('# race\nedited by someone else\n');
    // Two push attempts reached the server, one sent a pack: the rejected one never did.
    const seen = (method: string, url: string): number => proxy.requests.filter((r) => r.method === method && r.url === url).length;
    expect(seen('GET', '/race.git/info/refs?service=git-receive-pack')).toBe(2);
    expect(seen('POST', '/race.git/git-receive-pack')).toBe(1);
    // The step itself integrated the rejection: no step error, no second attempt of the step.
    expect(done.status.stepExecutionMetadata?.find((s) => s.uses === 'git-push')?.errorCount).toBe(0);
  });
});
