/**
 * What running git through git-command.ts costs a promotion, against starting git directly
 * with node's spawn and the same hermetic environment (issue 14; docs/adr/0006).
 *
 * 1. A promotion's git work through GitService on a local repository (checkout into a fresh
 *    workspace, edit, commit, push, release), counting the git commands it runs and how many
 *    of them print nothing.
 * 2. One git command with the same hermetic environment through each runner, interleaved: one
 *    that prints (`git rev-parse`) and one that prints nothing (`git merge-base
 *    --is-ancestor`, like most of a promotion's: add, update-ref, checkout, push).
 *    simple-git, which git-command.ts used before, waited 50 ms more after every command that
 *    printed nothing; the second pair shows that no such wait is left.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
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

const bench: BenchModule = async ({ workDir, quick, log }) => {
  const disposer = new Disposer();
  try {
    const origin = await createOrigin(disposer, { root: path.join(workDir, 'origin') });
    const dataDir = path.join(workDir, 'data');
    const git = new GitService({ dataDir, env: testEnv(), pushBackoffMs: 10 });
    let commands = 0;
    let quietCommands = 0;
    const run = GitCommand.prototype.run;
    GitCommand.prototype.run = async function counted(this: GitCommand, ...a: Parameters<typeof run>) {
      commands++;
      const res = await run.apply(this, a);
      if (res.stdout === '' && res.stderr === '') quietCommands++;
      return res;
    };
    const runs = quick ? 3 : 15;
    const promotion: number[] = [];
    let perPromotion = 0;
    let quietPerPromotion = 0;
    try {
      for (let i = 0; i <= runs; i++) {
        const root = path.join(workDir, 'work', `p${i}`);
        const dir = path.join(root, 'src');
        fs.mkdirSync(root, { recursive: true });
        commands = 0;
        quietCommands = 0;
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
          quietPerPromotion = quietCommands;
        }
      }
    } finally {
      GitCommand.prototype.run = run;
    }
    log(`promotion git work: ${Math.round(median(promotion))} ms median, ${perPromotion} git commands, ${quietPerPromotion} of them printing nothing`);

    const env = hermeticEnv(testEnv(), path.join(dataDir, 'git', 'no-hooks'));
    const repo = git.mirrorDir(origin.url);
    const runner = new GitCommand({ dataDir, env: testEnv(), allowCredentialsOverHTTP: false, heartbeatIntervalMs: 10_000 });
    const n = quick ? 50 : 300;
    const tip = 'refs/remotes/origin/main';
    const kinds = { printing: ['rev-parse', tip], quiet: ['merge-base', '--is-ancestor', tip, tip] };
    const times = { printing: { spawn: [] as number[], shunt: [] as number[] }, quiet: { spawn: [] as number[], shunt: [] as number[] } };
    for (let i = 0; i < n; i++) {
      for (const kind of ['printing', 'quiet'] as const) {
        // Interleaved, so both see the same machine load.
        let t0 = performance.now();
        await spawnGit(repo, env, kinds[kind]);
        times[kind].spawn.push(performance.now() - t0);
        t0 = performance.now();
        await runner.run(kinds[kind], { cwd: repo });
        times[kind].shunt.push(performance.now() - t0);
      }
    }
    const extra = (kind: 'printing' | 'quiet'): number => median(times[kind].shunt) - median(times[kind].spawn);
    const perPromotionExtra = (perPromotion - quietPerPromotion) * extra('printing') + quietPerPromotion * extra('quiet');
    const share = Math.max(0, (100 * perPromotionExtra) / median(promotion));
    log(
      `one command, spawn → git-command.ts: printing ${median(times.printing.spawn).toFixed(2)} → ${median(times.printing.shunt).toFixed(2)} ms, ` +
        `printing nothing ${median(times.quiet.spawn).toFixed(2)} → ${median(times.quiet.shunt).toFixed(2)} ms; estimated share of the git work ${share.toFixed(1)} %`,
    );
    const figure = (kind: 'printing' | 'quiet', via: 'spawn' | 'shunt'): BenchFigure => ({
      name: `git-runner.${kind}.${via}`,
      title: `One git command ${kind === 'printing' ? 'that prints' : 'that prints nothing'} through ${via === 'spawn' ? 'node spawn' : 'git-command.ts'}`,
      unit: 'ms',
      median: median(times[kind][via]),
      p95: percentile(times[kind][via], 95),
      samples: times[kind][via],
    });
    const figures: BenchFigure[] = [
      { name: 'git-runner.promotion', title: "A promotion's git work (checkout, commit, push, release; local repository)", unit: 'ms', median: median(promotion), p95: percentile(promotion, 95), samples: promotion },
      { name: 'git-runner.commands', title: 'git commands per promotion', unit: 'count', median: perPromotion, samples: [perPromotion], note: `${quietPerPromotion} print nothing` },
      figure('printing', 'spawn'),
      figure('printing', 'shunt'),
      figure('quiet', 'spawn'),
      figure('quiet', 'shunt'),
      {
        name: 'git-runner.runner-share',
        title: "git-command.ts's extra cost over spawn as a share of a promotion's git work (issue 14: at most 5 %)",
        unit: 'ratio',
        median: share / 100,
        samples: [share / 100],
        target: { op: '<=', value: 0.05 },
      },
    ];
    return figures;
  } finally {
    await disposer.dispose();
  }
};
export default bench;
