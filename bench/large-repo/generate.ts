/**
 * Builds the benchmark's GitOps repository with `git fast-import` (seconds, not hours): one
 * commit adding `files` values files (`apps/app-NNNN/env-MM/values.yaml`), then `commits - 1`
 * commits each bumping the image tag in one of them. The bare repository is cached: a directory
 * that already holds the same shape is reused.
 */
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface RepoShape {
  commits: number;
  files: number;
}

const ENVS = 20;

/** Apps are grouped by ten (`apps/group-NNN/app-NNNN/env-MM/values.yaml`), so trees stay small. */
export function filePath(i: number, files: number): string {
  const apps = Math.ceil(files / ENVS);
  const app = i % apps;
  const env = Math.floor(i / apps) % ENVS;
  const group = String(Math.floor(app / 10)).padStart(3, '0');
  return `apps/group-${group}/app-${String(app).padStart(4, '0')}/env-${String(env).padStart(2, '0')}/values.yaml`;
}

export function values(app: string, tag: string): string {
  return `# values for ${app}\nimage:\n  repository: registry.example.com/${app}\n  tag: ${tag}\nreplicas: 2\n`;
}

function data(text: string): string {
  return `data ${Buffer.byteLength(text)}\n${text}\n`;
}

function* stream(shape: RepoShape): Generator<string> {
  const when = (i: number): string => `Bench <bench@example.com> ${1_600_000_000 + i * 60} +0000`;
  let out = `commit refs/heads/main\nmark :1\ncommitter ${when(0)}\n${data('seed: all apps at 1.0.0')}`;
  for (let f = 0; f < shape.files; f++) {
    const p = filePath(f, shape.files);
    out += `M 100644 inline ${p}\n${data(values(p.split('/')[2] as string, '1.0.0'))}`;
    if (out.length > 1 << 20) {
      yield out;
      out = '';
    }
  }
  yield `${out}\n`;
  out = '';
  for (let i = 1; i < shape.commits; i++) {
    const p = filePath(i % shape.files, shape.files);
    const tag = `1.${Math.floor(i / shape.files)}.${i}`;
    out += `commit refs/heads/main\nmark :${i + 1}\ncommitter ${when(i)}\n${data(`bump ${p} to ${tag}`)}from :${i}\nM 100644 inline ${p}\n${data(values(p.split('/')[2] as string, tag))}\n`;
    if (out.length > 1 << 20) {
      yield out;
      out = '';
    }
  }
  yield out;
}

/** The bare repository `<cacheDir>/origin.git` with `shape`, generated once. */
export async function ensureRepo(cacheDir: string, shape: RepoShape, log: (m: string) => void): Promise<string> {
  const dir = path.join(cacheDir, 'origin.git');
  const stamp = path.join(cacheDir, 'shape.json');
  const want = JSON.stringify({ ...shape, layout: 2 });
  if (fs.existsSync(stamp) && fs.readFileSync(stamp, 'utf8') === want && fs.existsSync(path.join(dir, 'HEAD'))) return dir;
  fs.rmSync(cacheDir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  const git = (args: string[]): void => {
    const r = spawnSync('git', args, { cwd: dir, encoding: 'utf8', env: { ...process.env, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null' } });
    if (r.status !== 0) throw new Error(`git ${args.join(' ')} failed: ${r.stderr}`);
  };
  git(['init', '--quiet', '--bare', '--initial-branch=main']);
  log(`generating ${shape.commits} commits over ${shape.files} files with git fast-import`);
  const started = Date.now();
  await new Promise<void>((resolve, reject) => {
    const child = spawn('git', ['fast-import', '--quiet', '--done'], { cwd: dir, stdio: ['pipe', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    child.once('error', reject);
    child.once('close', (code) => (code === 0 ? resolve() : reject(new Error(`git fast-import failed: ${err}`))));
    const chunks = stream(shape);
    const pump = (): void => {
      for (;;) {
        const next = chunks.next();
        if (next.done) {
          child.stdin.end('done\n');
          return;
        }
        if (!child.stdin.write(next.value)) {
          child.stdin.once('drain', pump);
          return;
        }
      }
    };
    pump();
  });
  git(['repack', '-a', '-d', '-q']);
  git(['config', 'daemon.receivepack', 'true']);
  log(`generated in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  fs.writeFileSync(stamp, want);
  return dir;
}
