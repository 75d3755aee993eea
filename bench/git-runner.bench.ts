/**
 * What running git through simple-git (issue 14; activities/adapters/git/git-command.ts) costs a
 * promotion, against starting git directly with node's spawn and the same hermetic environment.
 *
 * 1. A promotion's git work through GitService on a local repository (checkout into a fresh
 *    workspace, edit, commit, push, release), counting the git commands it runs.
 * 2. The cost of one git command (`git rev-parse HEAD`, the commonest kind) with the same hermetic
 *    environment through each runner: spawn directly, and simple-git's `raw()` with every guard
 *    our environment trips opted out of (`unsafe`, `allowEnvironment`), as git-command.ts does.
 * The estimate is commands × (simple-git − spawn) as a share of the promotion's git work only; a
 * whole promotion also waits on Temporal and its other steps (`promotion-latency`: ~1.1 s on a
 * small repository), so simple-git's share of a promotion is about a tenth of this figure.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { simpleGit } from 'simple-git';
import { GitService } from '../activities/adapters/git/index.js';
import { GitCommand } from '../activities/adapters/git/git-command.js';
import { hermeticEnv } from '../activities/adapters/git/hermetic-env.js';
import { createOrigin, Disposer, hermeticEnv as testEnv } from '../test/support/git-repos.js';
import { median, percentile } from './stats.js';
import type { BenchFigure, BenchModule } from './types.js';

function spawnGit(cwd: string, env: Record<string, string>, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('git', args, { cwd, env, stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', () => undefined);
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(Buffer.concat(out).toString('utf8')) : reject(new Error(`git exited ${code}`))));
    child.stdin.on('error', () => undefined);
    child.stdin.end('');
  });
}

const UNSAFE = [
  'allowUnsafeAlias', 'allowUnsafeAskPass', 'allowUnsafeCommandBinaries', 'allowUnsafeConfigEnvCount', 'allowUnsafeConfigPaths',
  'allowUnsafeCredentialHelper', 'allowUnsafeDiffExternal', 'allowUnsafeDiffTextConv', 'allowUnsafeEditor', 'allowUnsafeExec',
  'allowUnsafeFilter', 'allowUnsafeFsMonitor', 'allowUnsafeGitProxy', 'allowUnsafeGpgProgram', 'allowUnsafeHooksPath',
  'allowUnsafeInclude', 'allowUnsafeMergeDriver', 'allowUnsafePack', 'allowUnsafePager', 'allowUnsafeProtocolOverride',
  'allowUnsafeSshCommand', 'allowUnsafeSubmodule', 'allowUnsafeTemplateDir', 'allowUnsafeUrlRewrite',
];

const bench: BenchModule = async ({ workDir, quick, log }) => {
  const disposer = new Disposer();
  try {
    const origin = await createOrigin(disposer, { root: path.join(workDir, 'origin') });
    const dataDir = path.join(workDir, 'data');
    const git = new GitService({ dataDir, env: testEnv(), pushBackoffMs: 10 });
    let commands = 0;
    const run = GitCommand.prototype.run;
    GitCommand.prototype.run = function counted(this: GitCommand, ...a: Parameters<typeof run>) {
      commands++;
      return run.apply(this, a);
    };
    const runs = quick ? 3 : 15;
    const promotion: number[] = [];
    let perPromotion = 0;
    try {
      for (let i = 0; i <= runs; i++) {
        const root = path.join(workDir, 'work', `p${i}`);
        const dir = path.join(root, 'src');
        fs.mkdirSync(root, { recursive: true });
        commands = 0;
        const t0 = performance.now();
        await git.checkout({ repoURL: origin.url, dir, branch: 'main' });
        fs.writeFileSync(path.join(dir, 'README.md'), `run ${i}\n`);
        await git.commit(dir, { message: `run ${i}` });
        await git.push(dir, {});
        await git.releaseWorktrees(root);
        const ms = performance.now() - t0;
        if (i > 0) {
          promotion.push(ms);
          perPromotion = commands;
        }
      }
    } finally {
      GitCommand.prototype.run = run;
    }
    log(`promotion git work: ${Math.round(median(promotion))} ms median, ${perPromotion} git commands`);

    const env = hermeticEnv(testEnv(), path.join(dataDir, 'git', 'no-hooks'));
    const repo = git.mirrorDir(origin.url);
    const sg = simpleGit({
      baseDir: repo,
      allowEnvironment: Object.keys(env).filter((k) => /^git_|^(editor|pager|ssh_askpass)$/i.test(k)),
      unsafe: Object.fromEntries(UNSAFE.map((k) => [k, true])),
    }).env(env);
    const n = quick ? 50 : 300;
    const viaSpawn: number[] = [];
    const viaSimpleGit: number[] = [];
    for (let i = 0; i < n; i++) {
      // Interleaved, so both see the same machine load.
      let t0 = performance.now();
      await spawnGit(repo, env, ['rev-parse', 'HEAD']);
      viaSpawn.push(performance.now() - t0);
      t0 = performance.now();
      await sg.raw(['rev-parse', 'HEAD']);
      viaSimpleGit.push(performance.now() - t0);
    }
    const extra = median(viaSimpleGit) - median(viaSpawn);
    const share = (100 * perPromotion * extra) / median(promotion);
    log(`one command: spawn ${median(viaSpawn).toFixed(2)} ms, simple-git ${median(viaSimpleGit).toFixed(2)} ms; estimated share ${share.toFixed(1)} %`);
    const figures: BenchFigure[] = [
      { name: 'git-runner.promotion', title: "A promotion's git work (checkout, commit, push, release; local repository)", unit: 'ms', median: median(promotion), p95: percentile(promotion, 95), samples: promotion },
      { name: 'git-runner.commands', title: 'git commands per promotion', unit: 'count', median: perPromotion, samples: [perPromotion] },
      { name: 'git-runner.spawn', title: 'One git command through node spawn', unit: 'ms', median: median(viaSpawn), p95: percentile(viaSpawn, 95), samples: viaSpawn },
      { name: 'git-runner.simple-git', title: 'One git command through simple-git raw() (git-command.ts)', unit: 'ms', median: median(viaSimpleGit), p95: percentile(viaSimpleGit, 95), samples: viaSimpleGit },
      {
        name: 'git-runner.simple-git-share',
        title: "simple-git's extra cost as a share of a promotion's git work alone (issue 14 drops it above 5 % of a whole promotion)",
        unit: 'ratio',
        median: share / 100,
        samples: [share / 100],
      },
    ];
    return figures;
  } finally {
    await disposer.dispose();
  }
};
export default bench;
