/**
 * Whether a mirror is partial, read from its config file (mirror.ts originIsPromisor) instead of
 * a `git config` process: git's own spellings, checked against what git itself answers.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { originIsPromisor } from '../../activities/adapters/git/mirror.js';
import { Disposer, git, tempDir } from '../support/git-repos.js';

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
