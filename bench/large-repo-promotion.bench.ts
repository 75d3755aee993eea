/**
 * Promotion time on a large GitOps repository (100,000 commits, 20,000 files; `--quick`: 10,000
 * and 2,000) served by `git daemon` on 127.0.0.1, three ways:
 *
 * - **shunt**: the real step code (git-clone → yaml-update → git-commit → git-push) on a worker
 *   whose mirror of the repository is warm, as a worker has it after its first promotion;
 * - **shunt-sparse**: the same with a sparse checkout of the one app directory it edits;
 * - **script**: what a CI script does: `git clone` + edit + `git commit` + `git push`;
 * - **floor**: the least git can do: `git fetch` + reset + edit + commit + push on an existing clone.
 *
 * A Shunt promotion is timed from the checkout to the released workspace; the removal of the
 * released checkout's leftovers, which the worker does in the background between promotions, is
 * awaited untimed before the next variant runs, so it never overlaps another's timing.
 *
 * Figures: each time (ms) and the ratios shunt/script (target ≤ 0.1) and shunt/floor (≤ 1.5).
 */
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { freePort } from '../launcher/free-port.js';
import { EmptyCredentialStore } from '../activities/adapters/credentials.js';
import { GitService } from '../activities/adapters/git/index.js';
import { createWorkspace, removeWorkspace } from '../activities/adapters/workspace.js';
import { gitClone } from '../activities/steps/git-clone.js';
import { gitCommit } from '../activities/steps/git-commit.js';
import { gitPush } from '../activities/steps/git-push.js';
import type { StepContext, StepDefinition } from '../activities/steps/step.js';
import { yamlUpdate } from '../activities/steps/yaml-update.js';
import type { BenchContext, BenchFigure, BenchModule } from './types.js';
import { ensureRepo, filePath, type RepoShape } from './large-repo/generate.js';

const IDENTITY = {
  GIT_AUTHOR_NAME: 'Bench',
  GIT_AUTHOR_EMAIL: 'bench@example.com',
  GIT_COMMITTER_NAME: 'Bench',
  GIT_COMMITTER_EMAIL: 'bench@example.com',
};

function gitEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith('GIT_')) env[k] = v;
  return { ...env, ...IDENTITY, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null', GIT_TERMINAL_PROMPT: '0' };
}

function sh(cwd: string, args: string[]): string {
  const r = spawnSync('git', args, { cwd, env: gitEnv(), encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`git ${args.join(' ')} failed: ${r.stderr}`);
  return r.stdout;
}

/** `git daemon` serving `base` on 127.0.0.1 with push enabled; resolves once it answers. */
async function startDaemon(base: string, repo: string): Promise<{ url: string; stop: () => void }> {
  const port = await freePort();
  const child = spawn(
    'git',
    ['daemon', '--reuseaddr', '--export-all', '--enable=receive-pack', `--base-path=${base}`, '--listen=127.0.0.1', `--port=${port}`, base],
    { env: gitEnv(), stdio: 'ignore' },
  );
  const url = `git://127.0.0.1:${port}/${path.relative(base, repo)}`;
  for (let i = 0; i < 100; i++) {
    const r = spawnSync('git', ['ls-remote', url, 'HEAD'], { env: gitEnv(), encoding: 'utf8' });
    if (r.status === 0) return { url, stop: () => child.kill('SIGTERM') };
    await new Promise((r2) => setTimeout(r2, 100));
  }
  child.kill('SIGKILL');
  throw new Error('git daemon did not start');
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

function p95(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(0.95 * s.length) - 1)] as number;
}

async function timed(fn: () => Promise<void> | void): Promise<number> {
  const t = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - t) / 1e6;
}

/** One promotion through the real steps, in a fresh workspace of a worker with a warm mirror. */
async function shuntPromotion(git: GitService, workRoot: string, url: string, n: number, file: string, sparse: boolean): Promise<void> {
  const key = `promo-${n}-${sparse ? 's' : 'f'}`;
  const workspace = await createWorkspace(workRoot, key);
  const ctx: StepContext = {
    project: 'bench',
    stage: 'dev',
    promotion: `dev.bench.${n}`,
    freight: { id: 'c', items: {} },
    workspace,
    git,
    credentials: new EmptyCredentialStore(),
    outputs: {},
    heartbeat: () => undefined,
    signal: new AbortController().signal,
  };
  const run = async <C>(step: StepDefinition<C>, config: unknown): Promise<void> => {
    await step.run(ctx, step.config.parse(config));
  };
  const checkout = { path: 'src', branch: 'main', ...(sparse ? { sparse: [path.dirname(path.dirname(file))] } : {}) };
  await run(gitClone, { repoURL: url, checkout: [checkout] });
  await run(yamlUpdate, { path: `src/${file}`, updates: [{ key: 'image.tag', value: `shunt-${n}` }] });
  await run(gitCommit, { path: 'src', message: `shunt promotion ${n}` });
  await run(gitPush, { path: 'src' });
  await git.releaseWorktrees(workspace.root);
  await removeWorkspace(workRoot, key);
}

function edit(dir: string, file: string, tag: string): void {
  const p = path.join(dir, file);
  fs.writeFileSync(p, fs.readFileSync(p, 'utf8').replace(/tag: .*/, `tag: ${tag}`));
}

const bench: BenchModule = async (ctx: BenchContext): Promise<BenchFigure[]> => {
  const shape: RepoShape = ctx.quick ? { commits: 10_000, files: 2_000 } : { commits: 100_000, files: 20_000 };
  const samples = ctx.quick ? 2 : 5;
  const cacheDir = path.join(path.dirname(ctx.workDir), 'cache', `large-repo-${shape.commits}-${shape.files}`);
  const cached = await ensureRepo(cacheDir, shape, ctx.log);
  // Served from a copy, so pushes never change the cache; and every timed run meets the same
  // remote: a fresh copy of the cached one. (A remote that keeps the objects pushed to it serves
  // each clone slower than the last, even with its branch put back, which would flatter Shunt:
  // a real server repacks.)
  const served = path.join(ctx.workDir, 'served');
  const origin = path.join(served, path.basename(cached));
  const restore = (): void => {
    fs.rmSync(origin, { recursive: true, force: true });
    fs.cpSync(cached, origin, { recursive: true });
  };
  restore();
  const daemon = await startDaemon(served, origin);
  try {
    const file = filePath(1, shape.files);
    const times: Record<'shunt' | 'shuntSparse' | 'script' | 'floor', number[]> = { shunt: [], shuntSparse: [], script: [], floor: [] };

    // A worker's mirror, warmed by an earlier promotion (not timed).
    // The remote is served by `git daemon`: the operator allows git:// (not allowed by default).
    const git = new GitService({ dataDir: path.join(ctx.workDir, 'worker'), env: { ...gitEnv(), GIT_ALLOW_PROTOCOL: 'git' }, stageWhereStepsWrote: true });
    const workRoot = path.join(ctx.workDir, 'worker', 'work');
    ctx.log('warming the worker mirror (first promotion, not timed)');
    await shuntPromotion(git, workRoot, daemon.url, 0, file, false);
    await git.idle();

    // The floor's long-lived clone (not timed).
    const floorDir = path.join(ctx.workDir, 'floor');
    sh(ctx.workDir, ['clone', '--quiet', daemon.url, floorDir]);

    for (let i = 1; i <= samples; i++) {
      restore();
      times.shunt.push(await timed(() => shuntPromotion(git, workRoot, daemon.url, i, file, false)));
      await git.idle();
      restore();
      times.shuntSparse.push(await timed(() => shuntPromotion(git, workRoot, daemon.url, 1000 + i, file, true)));
      await git.idle();
      restore();
      const scriptDir = path.join(ctx.workDir, `script-${i}`);
      times.script.push(
        await timed(() => {
          sh(ctx.workDir, ['clone', '--quiet', daemon.url, scriptDir]);
          edit(scriptDir, file, `script-${i}`);
          sh(scriptDir, ['commit', '--quiet', '-am', `script promotion ${i}`]);
          sh(scriptDir, ['push', '--quiet', 'origin', 'HEAD:main']);
        }),
      );
      fs.rmSync(scriptDir, { recursive: true, force: true });
      restore();
      times.floor.push(
        await timed(() => {
          sh(floorDir, ['fetch', '--quiet', 'origin']);
          sh(floorDir, ['reset', '--quiet', '--hard', 'origin/main']);
          edit(floorDir, file, `floor-${i}`);
          sh(floorDir, ['commit', '--quiet', '-am', `floor promotion ${i}`]);
          sh(floorDir, ['push', '--quiet', 'origin', 'HEAD:main']);
        }),
      );
      ctx.log(`sample ${i}: shunt ${times.shunt.at(-1)?.toFixed(0)} ms, sparse ${times.shuntSparse.at(-1)?.toFixed(0)} ms, script ${times.script.at(-1)?.toFixed(0)} ms, floor ${times.floor.at(-1)?.toFixed(0)} ms`);
    }

    const size = `${shape.commits.toLocaleString('en')} commits, ${shape.files.toLocaleString('en')} files`;
    const fig = (name: string, title: string, xs: number[]): BenchFigure => ({
      name: `large-repo-promotion.${name}`,
      title: `${title} (${size})`,
      unit: 'ms',
      median: median(xs),
      p95: p95(xs),
      samples: xs,
    });
    const ratio = (name: string, title: string, a: number[], b: number[], target: number): BenchFigure => {
      const samples = a.map((x, i) => x / (b[i] as number));
      return { name: `large-repo-promotion.${name}`, title: `${title} (${size})`, unit: 'ratio', median: median(samples), samples, target: { op: '<=', value: target } };
    };
    return [
      fig('shunt', 'Shunt promotion, warm mirror, full checkout', times.shunt),
      fig('shunt-sparse', 'Shunt promotion, warm mirror, sparse checkout', times.shuntSparse),
      fig('script', 'git clone + edit + commit + push script', times.script),
      fig('floor', 'floor: fetch + edit + commit + push on an existing clone', times.floor),
      ratio('ratio-script', 'Shunt / clone script', times.shunt, times.script, 0.1),
      ratio('ratio-floor', 'Shunt / floor, full checkout', times.shunt, times.floor, 1.1),
      ratio('ratio-floor-sparse', 'Shunt / floor, sparse checkout', times.shuntSparse, times.floor, 1.1),
    ];
  } finally {
    daemon.stop();
  }
};

export default bench;
