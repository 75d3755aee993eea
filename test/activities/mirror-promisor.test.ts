/**
 * What a mirror's config file says, read without a `git config` process (mirror.ts): whether the
 * mirror is partial (originIsPromisor), and whether origin already has the URL in use
 * (originURLIs); git's own spellings, checked against what git itself answers. A file that names
 * another (an include) is not read alone: the mirror asks git.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { GitCommand } from '../../activities/adapters/git/git-command.js';
import { MirrorLocks } from '../../activities/adapters/git/mirror-locks.js';
import { Mirrors, originIsPromisor, originURLIs } from '../../activities/adapters/git/mirror.js';
import { Disposer, git, hermeticEnv, tempDir } from '../support/git-repos.js';

const disposer = new Disposer();
afterAll(() => disposer.dispose());

const CASES: [string, string, boolean][] = [
  ['what a filtered fetch writes', '[remote "origin"]\n\turl = https://example.com/r.git\n\tpromisor = true\n\tpartialclonefilter = blob:none\n', true],
  ['no promisor key', '[remote "origin"]\n\turl = https://example.com/r.git\n', false],
  ['another remote is the promisor', '[remote "upstream"]\n\tpromisor = true\n[remote "origin"]\n\turl = x\n', false],
  ['false', '[remote "origin"]\n\tpromisor = false\n', false],
  ['the last value wins', '[remote "origin"]\n\tpromisor = true\n[remote "origin"]\n\tpromisor = no\n', false],
  ['other true spellings, a comment', '[remote "origin"]\n\tpromisor = Yes ; set by git\n', true],
  ['a key without a value is true', '[remote "origin"]\n\tpromisor\n', true],
  ['a longer key is another key', '[remote "origin"]\n\tpromisorish = true\n', false],
  ['section and key on one line', '[remote "origin"] promisor = 1\n', true],
];

describe('originIsPromisor', () => {
  it.each(CASES)('%s', async (_what, text, expected) => {
    expect(originIsPromisor(text)).toBe(expected);
    // git reads the same file the same way.
    const dir = await tempDir(disposer);
    await git(dir, ['init', '--quiet', '--bare']);
    fs.appendFileSync(path.join(dir, 'config'), text);
    const answer = (await git(dir, ['config', '--type=bool', '--get', 'remote.origin.promisor']).catch(() => 'false')).trim();
    expect(answer === 'true').toBe(expected);
  });
});

const URL = 'https://example.com/r.git';
/** [what, config text, url asked for, originURLIs]: true only when sure; false sends the caller to git. */
const URL_CASES: [string, string, string, boolean][] = [
  ['what git config writes', `[remote "origin"]\n\turl = ${URL}\n\tfetch = +refs/heads/*:refs/remotes/origin/*\n`, URL, true],
  ['another spelling of the repository', `[remote "origin"]\n\turl = ${URL}\n`, 'https://example.com/r', false],
  ['another remote has it', `[remote "upstream"]\n\turl = ${URL}\n[remote "origin"]\n\turl = x\n`, URL, false],
  ['two urls (git config would refuse to set one)', `[remote "origin"]\n\turl = ${URL}\n\turl = ${URL}\n`, URL, false],
  ['no origin at all', '[core]\n\tbare = true\n', URL, false],
  ['a comment after the value (git drops it)', `[remote "origin"]\n\turl = ${URL} # old\n`, URL, true],
  ['a quoted value', `[remote "origin"]\n\turl = "${URL}"\n`, URL, false],
  ['a url git would quote', `[remote "origin"]\n\turl = https://example.com/a b\n`, 'https://example.com/a b', false],
  ['section and key on one line', `[remote "origin"] url = ${URL}\n`, URL, true],
];

describe('originURLIs', () => {
  it.each(URL_CASES)('%s', async (_what, text, url, expected) => {
    expect(originURLIs(text, url)).toBe(expected);
    if (!expected) return;
    // When it answers true, git reads exactly that one url.
    const dir = await tempDir(disposer);
    await git(dir, ['init', '--quiet', '--bare']);
    fs.appendFileSync(path.join(dir, 'config'), text);
    expect((await git(dir, ['config', '--get-all', 'remote.origin.url'])).trim()).toBe(url);
  });
});

describe('a config that names another file (an include)', () => {
  it.each([
    ['true', true],
    ['false', false],
  ])('is not read alone: isPartial asks git, which reads the included promisor = %s', async (value, expected) => {
    const dir = await tempDir(disposer);
    await git(dir, ['init', '--quiet', '--bare']);
    fs.writeFileSync(path.join(dir, 'origin.config'), `[remote "origin"]\n\tpromisor = ${value}\n`);
    fs.appendFileSync(path.join(dir, 'config'), '[include]\n\tpath = origin.config\n');
    expect(originIsPromisor(fs.readFileSync(path.join(dir, 'config'), 'utf8'))).toBeUndefined();

    const gitCommand = new GitCommand({ dataDir: await tempDir(disposer), env: hermeticEnv(), allowCredentialsOverHTTP: false, heartbeatIntervalMs: 10_000 });
    const mirrors = new Mirrors(path.dirname(dir), gitCommand, new MirrorLocks(10_000, 60_000), { mirrorsCreated: 0, mirrorFetches: 0, pushes: 0 });
    expect(await mirrors.isPartial(dir)).toBe(expected);
  });

  it.each([
    ['[include]', `[remote "origin"]\n\turl = ${URL}\n[include]\n\tpath = other.config\n`],
    ['[includeIf]', `[includeIf "gitdir:/srv/"]\n\tpath = other.config\n[remote "origin"]\n\turl = ${URL}\n`],
  ])('%s: originURLIs is never sure, so the url is set with git', (_what, text) => {
    expect(originURLIs(text, URL)).toBe(false);
  });
});
