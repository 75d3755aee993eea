import * as fs from 'node:fs';
import * as path from 'node:path';
import { namesAnotherFile } from './config-include.js';
import type { GitCommand } from './git-command.js';

/** What a directory holds, when it is the top of a git worktree. */
export interface WorktreeInfo {
  dir: string;
  /** The repository's common git dir (the mirror, for Shunt's checkouts). */
  commonDir: string;
  /** `remote.origin.url`. */
  repoURL?: string;
  /** The branch this checkout tracks (`shunt.branch`). */
  branch?: string;
  /** What was asked for: `branch:<b>`, `commit:<sha>`, `tag:<t>` (`shunt.ref`). */
  ref?: string;
  /** `http.sslVerify=false` recorded by a checkout with insecureSkipTLSVerify. */
  insecureSkipTLSVerify?: boolean;
}

/** The config files a worktree's settings come from (git reads no system or global config: hermetic-env.ts), as they are now. */
interface ConfigTexts {
  /** `<commonDir>/config`: the mirror's, with `remote.origin.url`. */
  common: string;
  /** `<gitDir>/config.worktree`: Shunt's `[shunt]`, `[user]`, `[http]` of this checkout; '' when absent. */
  worktree: string;
}

interface Remembered {
  texts: ConfigTexts;
  settings: Omit<WorktreeInfo, 'dir' | 'commonDir'>;
}

/** How many checkouts' settings each git runner remembers. */
const REMEMBERED_CHECKOUTS = 256;

/**
 * What `git config` answered for a checkout, per git runner (its environment is part of what git
 * reads), with the config files' texts it answered for: the same texts give the same answer, so
 * a checkout's later steps (git-commit, then git-push) ask git once.
 */
const remembered = new WeakMap<GitCommand, Map<string, Remembered>>();

async function readText(file: string): Promise<string | undefined> {
  try {
    return await fs.promises.readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return '';
    return undefined;
  }
}

/** The texts, or undefined when one cannot be read or names another file git would read too (an include). */
async function configTexts(gitDir: string, commonDir: string): Promise<ConfigTexts | undefined> {
  const [common, worktree] = await Promise.all([readText(path.join(commonDir, 'config')), readText(path.join(gitDir, 'config.worktree'))]);
  if (common === undefined || worktree === undefined) return undefined;
  if (namesAnotherFile(common) || namesAnotherFile(worktree)) return undefined;
  return { common, worktree };
}

/**
 * What the config of the worktree at `dir` (private git dir `gitDir`), of the repository whose
 * common git dir is `commonDir`, says it is for: one `git config` process, for a caller that has
 * found the worktree's git dirs itself (own-checkout.ts, from the files that name them); none
 * when git answered for the same config files' texts before.
 */
export async function worktreeSettings(git: GitCommand, dir: string, commonDir: string, gitDir: string): Promise<WorktreeInfo> {
  // Read before git runs: a file changed meanwhile makes the next texts differ from these.
  const texts = await configTexts(gitDir, commonDir);
  let byDir = remembered.get(git);
  const known = byDir?.get(dir);
  if (texts && byDir && known && known.texts.common === texts.common && known.texts.worktree === texts.worktree) {
    byDir.delete(dir);
    byDir.set(dir, known);
    return { dir, commonDir, ...known.settings };
  }
  const settings: Remembered['settings'] = {};
  const cfg = await git.run(['config', '--get-regexp', '^(shunt\\.|remote\\.origin\\.url$|http\\.sslverify$)'], {
    cwd: dir,
    allowFailure: true,
  });
  for (const line of cfg.stdout.split('\n')) {
    const sp = line.indexOf(' ');
    if (sp < 0) continue;
    const key = line.slice(0, sp);
    const value = line.slice(sp + 1);
    if (key === 'remote.origin.url') settings.repoURL = value;
    else if (key === 'shunt.branch') settings.branch = value;
    else if (key === 'shunt.ref') settings.ref = value;
    else if (key === 'http.sslverify') settings.insecureSkipTLSVerify = value === 'false';
  }
  // 1: no such key; any other failure (a config git cannot parse) is asked again next time.
  if (texts && (cfg.code === 0 || cfg.code === 1)) {
    if (!byDir) remembered.set(git, (byDir = new Map()));
    byDir.delete(dir);
    byDir.set(dir, { texts, settings });
    if (byDir.size > REMEMBERED_CHECKOUTS) byDir.delete(byDir.keys().next().value!);
  }
  return { dir, commonDir, ...settings };
}
