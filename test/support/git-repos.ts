/**
 * Real git repositories for tests (STYLE.md §3): a bare `origin.git` seeded with files in an
 * `fs.mkdtemp` directory, hermetic git (no global or system config, fixed identities and dates)
 * and a disposer that removes everything afterwards.
 */
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

export const FIXED_DATE = '2024-01-02T03:04:05Z';

/**
 * The environment for git in tests: the process's PATH etc., without any GIT_* variable from
 * outside, never reading the user's or system config, fixed dates. No identity: code under test
 * sets its own (GitService records one per checkout).
 */
export function hermeticEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v === undefined || k.startsWith('GIT_') || k === 'SSH_ASKPASS') continue;
    env[k] = v;
  }
  return {
    ...env,
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_ALLOW_PROTOCOL: 'file:http:https',
    GIT_TERMINAL_PROMPT: '0',
    GIT_AUTHOR_DATE: FIXED_DATE,
    GIT_COMMITTER_DATE: FIXED_DATE,
    ...extra,
  };
}

/** Identity of commits that tests make themselves (seeding, racing commits). */
export const TEST_IDENTITY = {
  GIT_AUTHOR_NAME: 'Test Seeder',
  GIT_AUTHOR_EMAIL: 'seeder@example.test',
  GIT_COMMITTER_NAME: 'Test Seeder',
  GIT_COMMITTER_EMAIL: 'seeder@example.test',
};

/** Runs git with the hermetic env and the test identity; returns stdout. */
export async function git(cwd: string, args: string[], env: Record<string, string> = {}): Promise<string> {
  const { stdout } = await execFileAsync('git', args, {
    cwd,
    env: hermeticEnv({ ...TEST_IDENTITY, ...env }),
    maxBuffer: 64 * 1024 * 1024,
  });
  return stdout;
}

/** Cleanups to run after a test, last in first out. */
export class Disposer {
  private readonly fns: (() => Promise<void> | void)[] = [];
  add(fn: () => Promise<void> | void): void {
    this.fns.push(fn);
  }
  async dispose(): Promise<void> {
    const errors: unknown[] = [];
    while (this.fns.length > 0) {
      const fn = this.fns.pop();
      try {
        await fn?.();
      } catch (err) {
        errors.push(err);
      }
    }
    if (errors.length > 0) throw errors[0];
  }
}

/** A temporary directory removed by the disposer. */
export async function tempDir(disposer: Disposer, prefix = 'shunt-test-'): Promise<string> {
  const dir = await fs.promises.mkdtemp(path.join(os.tmpdir(), prefix));
  disposer.add(() => fs.promises.rm(dir, { recursive: true, force: true, maxRetries: 3 }));
  return fs.realpathSync(dir);
}

export const SEED_KUSTOMIZATION = `# Kustomization for the guestbook (dev)
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
namespace: guestbook-dev   # the stage's namespace

resources:
- ../../base
- configmap.yaml # app settings

images:
# the application image; Shunt bumps the tag
- name: ghcr.io/example/guestbook
  newTag: "1.0.0"   # pinned by promotion
# a sidecar that nobody promotes
- name: docker.io/library/nginx
  newName: nginx-unprivileged
  newTag: 1.25-alpine
`;

export const SEED_VALUES = `# Helm values for the guestbook
replicaCount: 2

image:
  repository: ghcr.io/example/guestbook  # where the image lives
  tag: '1.0.0'        # bumped by yaml-update
  pullPolicy: IfNotPresent

ingress:
  enabled: false
  hosts:
    - host: guestbook.example.test
      paths: ["/"]

"dotted.key": old
`;

export const SEED_FILES: Record<string, string> = {
  'stages/dev/kustomization.yaml': SEED_KUSTOMIZATION,
  'stages/dev/configmap.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\n',
  'stages/prod/kustomization.yaml': SEED_KUSTOMIZATION.replace(/dev/g, 'prod'),
  'charts/guestbook/values.yaml': SEED_VALUES,
  'README.md': '# gitops repo\n',
};

export interface Origin {
  /** The bare repository's directory. */
  dir: string;
  /** `file://` URL of it. */
  url: string;
  branch: string;
}

async function writeFiles(root: string, files: Record<string, string | null>): Promise<void> {
  for (const [rel, content] of Object.entries(files)) {
    const file = path.join(root, rel);
    if (content === null) {
      await fs.promises.rm(file, { force: true });
      continue;
    }
    await fs.promises.mkdir(path.dirname(file), { recursive: true });
    await fs.promises.writeFile(file, content);
  }
}

/**
 * A bare `<root>/<name>.git` whose `branch` holds `files` in one commit ("seed").
 * `root` defaults to a fresh temp dir.
 */
export async function createOrigin(
  disposer: Disposer,
  opts: { root?: string; name?: string; files?: Record<string, string>; branch?: string } = {},
): Promise<Origin> {
  const root = opts.root ?? (await tempDir(disposer, 'shunt-origin-'));
  const branch = opts.branch ?? 'main';
  const dir = path.join(root, `${opts.name ?? 'origin'}.git`);
  await fs.promises.mkdir(dir, { recursive: true });
  await git(dir, ['init', '--quiet', '--bare', `--initial-branch=${branch}`]);
  const origin: Origin = { dir, url: pathToFileURL(dir).href, branch };
  await commitToOrigin(disposer, origin, opts.files ?? SEED_FILES, 'seed');
  return origin;
}

/** Commits `files` (null deletes) on `branch` of the origin, as another user would; returns the sha. */
export async function commitToOrigin(
  disposer: Disposer,
  origin: Origin,
  files: Record<string, string | null>,
  message: string,
  branch = origin.branch,
): Promise<string> {
  const work = await tempDir(disposer, 'shunt-clone-');
  const heads = await git(origin.dir, ['for-each-ref', '--format=%(refname)', `refs/heads/${branch}`]);
  if (heads.trim() === '') {
    await git(work, ['init', '--quiet', `--initial-branch=${branch}`]);
    await git(work, ['remote', 'add', 'origin', origin.url]);
  } else {
    await git(work, ['clone', '--quiet', '--branch', branch, origin.url, '.']);
  }
  await writeFiles(work, files);
  await git(work, ['add', '--all']);
  await git(work, ['commit', '--quiet', '--allow-empty', '-m', message]);
  await git(work, ['push', '--quiet', 'origin', `HEAD:refs/heads/${branch}`]);
  return (await git(work, ['rev-parse', 'HEAD'])).trim();
}

/** The commit a branch of the origin points at ('' when the branch does not exist). */
export async function originHead(origin: Origin, branch = origin.branch): Promise<string> {
  const out = await git(origin.dir, ['for-each-ref', '--format=%(objectname)', `refs/heads/${branch}`]);
  return out.trim();
}

/** Subjects of the commits on a branch, newest first. */
export async function originLog(origin: Origin, branch = origin.branch): Promise<string[]> {
  const out = await git(origin.dir, ['log', '--format=%s', `refs/heads/${branch}`]);
  return out.split('\n').filter((l) => l !== '');
}

/** Full message of a commit in the origin. */
export async function originMessage(origin: Origin, rev: string): Promise<string> {
  return git(origin.dir, ['log', '-1', '--format=%B', rev]);
}

/** A file's content at a branch of the origin. */
export async function originFile(origin: Origin, file: string, branch = origin.branch): Promise<string> {
  return git(origin.dir, ['show', `refs/heads/${branch}:${file}`]);
}

/** Creates a lightweight tag in the origin. */
export async function tagOrigin(origin: Origin, tag: string, rev = origin.branch): Promise<void> {
  await git(origin.dir, ['tag', tag, rev]);
}
