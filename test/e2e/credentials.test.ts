/**
 * DESIGN.md: "Secrets never enter workflow history." The demo GitOps repository is served over
 * HTTP with basic auth; the worker reads the repository credential and a generic Secret from a
 * credentials file. A promotion clones, renders `secret('app-token').token` into a file, commits
 * and pushes; then neither the password (raw, base64, or as the `user:password` basic-auth
 * value) nor the generic secret's value may appear in any workflow history, the promotion
 * record, the project state or the worker's logs. With wrong credentials the promotion ends
 * with a message that names the repository and says the credentials were rejected, without
 * the password.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { inspect, promisify } from 'node:util';
import { Runtime, type Logger } from '@temporalio/worker';
import type { Stage } from '../../core/model.js';
import type { ProjectState } from '../../core/project/state.js';
import { CLUSTER_WORKFLOW_ID, projectWorkflowId } from '../../workflows/definitions.js';
import { Disposer, hermeticEnv, tempDir } from '../support/git-repos.js';
import { GitHttpServer } from '../support/git-server.js';
import { historyText } from '../support/histories.js';
import { aCredentialSecret, asKubeSecret, aStage, yamlOf } from '../support/manifests.js';
import { scenario } from '../support/scenario.js';
import type { PromotionItem } from '../support/shunt-api.js';
import { startShuntStack, type ShuntStack } from '../support/shunt-stack.js';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../..', import.meta.url));
const example = join(root, 'examples', 'three-stage');

const PROJECT = 'demo';
const USERNAME = 'promoter';
const PASSWORD = `s3cr3t-${randomBytes(12).toString('hex')}`;
const WRONG_PASSWORD = `wr0ng-${randomBytes(16).toString('hex')}`;
const APP_TOKEN = `app-t0ken-${randomBytes(12).toString('hex')}`;

const base64 = (text: string): string => Buffer.from(text, 'utf8').toString('base64');

/** Every form in which a credential must never show up outside the worker. */
function forbiddenForms(password: string): Record<string, string> {
  return {
    password,
    'base64 password': base64(password),
    'basic-auth user:password': base64(`${USERNAME}:${password}`),
    'url-encoded password': encodeURIComponent(password),
  };
}
const FORBIDDEN: Record<string, string> = {
  ...forbiddenForms(PASSWORD),
  'generic secret value': APP_TOKEN,
  'base64 generic secret value': base64(APP_TOKEN),
};

/** The names of the forbidden values that occur in `text` (empty when it is clean). */
function leaks(text: string, forbidden: Record<string, string> = FORBIDDEN): string[] {
  return Object.entries(forbidden)
    .filter(([, value]) => text.includes(value))
    .map(([name]) => name);
}

const disposer = new Disposer();
const logLines: string[] = [];
let restoreLogger: (() => void) | undefined;
let stack: ShuntStack;
let server: GitHttpServer;
let repoURL: string;
let originDir: string;
let credentialsPath: string;
const { given, when, then } = scenario(() => stack.url);

async function gitOrigin(...args: string[]): Promise<string> {
  const { stdout } = await run('git', ['--git-dir', originDir, ...args], { env: hermeticEnv() });
  return stdout.trim();
}

/** The repository credential, as Kargo keeps it, and a generic Secret a step reads through secret('app-token'). */
function credentialsFile(password: string): string {
  return yamlOf(
    aCredentialSecret('gitops-repo', 'git', { repoURL, username: USERNAME, password }, PROJECT),
    asKubeSecret(aCredentialSecret('app-token', 'generic', { token: APP_TOKEN }, PROJECT)),
  );
}

/** Stage dev: clone over HTTP, set the image, render the secret into a file, commit and push. */
function devStage(): Stage {
  return aStage('dev', {
    project: PROJECT,
    templateVars: [{ name: 'repoURL', value: repoURL }],
    steps: [
      { uses: 'git-clone', as: 'clone', config: { repoURL: '${{ vars.repoURL }}', checkout: [{ branch: 'main', path: './repo' }] } },
      {
        uses: 'kustomize-set-image',
        as: 'update-image',
        config: { path: './repo/env/dev', images: [{ image: 'ghcr.io/example/app', tag: '${{ freight.images[0].tag }}' }] },
      },
      {
        uses: 'yaml-update',
        as: 'update-values',
        config: { path: './repo/env/dev/values.yaml', updates: [{ key: 'image.tag', value: "${{ quote(imageFrom('ghcr.io/example/app').Tag) }}" }] },
      },
      { uses: 'file-write', config: { path: './repo/env/dev/auth.yaml', contents: 'auth:\n  token: none\n' } },
      {
        uses: 'yaml-update',
        as: 'update-auth',
        config: { path: './repo/env/dev/auth.yaml', updates: [{ key: 'auth.token', value: "${{ secret('app-token').token }}" }] },
      },
      { uses: 'git-commit', as: 'commit', config: { path: './repo', message: "${{ outputs['update-image'].commitMessage }}" } },
      { uses: 'git-push', as: 'push', config: { path: './repo' } },
    ],
  });
}

/** Freight of the app image at `tag` promoted to dev, once the promotion has ended. */
async function promoteAndWait(tag: string): Promise<PromotionItem> {
  const freight = await given.freight(PROJECT, tag);
  const promotion = await when.promoted(PROJECT, 'dev', freight.metadata.name);
  return then.promotionEnds(PROJECT, promotion, 90_000);
}

async function historyOf(workflowId: string): Promise<string> {
  return historyText(await stack.client.workflow.getHandle(workflowId).fetchHistory());
}

beforeAll(async () => {
  // Every log record of the Temporal runtime (workers, activities, workflows), at every level,
  // before the quiet test logger filters it.
  const logger: Logger = Runtime.instance().logger;
  const original = logger.log;
  logger.log = (level, message, meta) => {
    logLines.push(`${level} ${message} ${inspect(meta, { depth: 8, breakLength: Infinity })}`);
    original.call(logger, level, message, meta);
  };
  restoreLogger = () => {
    logger.log = original;
  };

  // Given the demo GitOps repository, served over HTTP with basic auth
  const work = await tempDir(disposer, 'shunt-e2e-creds-');
  await run('bash', [join(example, 'make-demo-repo.sh'), join(work, 'demo')], { env: hermeticEnv() });
  originDir = join(work, 'demo', 'gitops.git');
  server = new GitHttpServer({ root: join(work, 'demo'), auth: { username: USERNAME, password: PASSWORD } });
  await server.start();
  disposer.add(() => server.stop());
  repoURL = server.url('gitops');

  // and a worker that reads its credential and a generic Secret from a file
  credentialsPath = join(work, 'credentials.yaml');
  await writeFile(credentialsPath, credentialsFile(PASSWORD));
  stack = await startShuntStack({ namespace: 'activities', credentialsPath });
  disposer.add(() => stack.stop());

  // and a pipeline whose dev stage clones that repository over HTTP
  await given.aProject(PROJECT, { docs: [devStage()] });
}, 120_000);

afterAll(async () => {
  restoreLogger?.();
  await disposer.dispose();
});

describe('credentials in a promotion over authenticated HTTP git', () => {
  let promotion: PromotionItem;
  let commitsBefore = 0;

  it('promotes to dev: clones, renders the secret into a file, commits and pushes to the HTTP remote', async () => {
    commitsBefore = Number(await gitOrigin('rev-list', '--count', 'main'));

    promotion = await promoteAndWait('1.0.0');

    expect(promotion.status.message ?? '').toBe('');
    expect(promotion.status.phase).toBe('Succeeded');
    expect(Number(await gitOrigin('rev-list', '--count', 'main'))).toBe(commitsBefore + 1);
    const head = await gitOrigin('rev-parse', 'main');
    expect(promotion.status.state?.['push']?.['commit']).toBe(head);
    expect(await gitOrigin('show', 'main:env/dev/kustomization.yaml')).toMatch(/newTag: "?1\.0\.0"?/);
    // A secret rendered into a file inside the activity is allowed: that is what it is for.
    const values = await gitOrigin('show', 'main:env/dev/values.yaml');
    expect(await gitOrigin('show', 'main:env/dev/auth.yaml')).toContain(`token: ${APP_TOKEN}`);
    expect(values).toContain('tag: "1.0.0" # set by Shunt');
    // The server really demanded the credentials, and got them.
    const pushes = server.requests.filter((r) => r.url.includes('git-receive-pack') && r.method === 'POST');
    expect(pushes.map((r) => r.status)).toContain(200);
    expect(server.requests.filter((r) => r.status === 200).every((r) => r.hadAuthorization)).toBe(true);
  });

  it('keeps the password and the secret out of the promotion workflow history', async () => {
    const text = await historyOf(promotion.status.workflowId!);
    // The decoding works: the payloads' plain contents are there.
    expect(text).toContain(repoURL);
    expect(text).toContain("secret('app-token').token");
    expect(leaks(text)).toEqual([]);
  });

  it('keeps them out of the project and cluster workflow histories', async () => {
    const project = await historyOf(projectWorkflowId(PROJECT));
    expect(project).toContain(repoURL);
    expect(leaks(project)).toEqual([]);
    expect(leaks(await historyOf(CLUSTER_WORKFLOW_ID))).toEqual([]);
  });

  it('keeps them out of the promotion record, its state outputs and the project state', async () => {
    const record = await stack.backend.getPromotion(PROJECT, promotion.metadata.name);
    expect(record.state?.['update-auth']?.['commitMessage']).toEqual(expect.stringContaining('auth.token'));
    expect(leaks(JSON.stringify(record))).toEqual([]);
    const state: ProjectState = await stack.backend.getProject(PROJECT);
    expect(leaks(JSON.stringify(state))).toEqual([]);
  });

  it('keeps them out of the API responses', async () => {
    for (const path of [
      `/api/v1/projects/${PROJECT}/promotions`,
      `/api/v1/projects/${PROJECT}/promotions/${promotion.metadata.name}`,
      `/api/v1/projects/${PROJECT}/stages`,
      `/api/v1/projects/${PROJECT}/freight`,
    ]) {
      const res = await fetch(`${stack.url}${path}`);
      const body = await res.text();
      expect({ path, status: res.status, leaks: leaks(body) }).toEqual({ path, status: 200, leaks: [] });
    }
  });

  describe('with wrong credentials', () => {
    let failed: PromotionItem;
    const WRONG: Record<string, string> = { ...FORBIDDEN, ...Object.fromEntries(Object.entries(forbiddenForms(WRONG_PASSWORD)).map(([k, v]) => [`wrong ${k}`, v])) };

    beforeAll(async () => {
      // The worker re-reads the credentials file when it changes.
      await writeFile(credentialsPath, credentialsFile(WRONG_PASSWORD));
      commitsBefore = Number(await gitOrigin('rev-list', '--count', 'main'));
      failed = await promoteAndWait('1.1.0');
    }, 120_000);

    it('ends the promotion Errored, naming the repository and saying the credentials were rejected', () => {
      expect(['Errored', 'Failed']).toContain(failed.status.phase);
      expect(failed.status.message).toContain(repoURL);
      expect(failed.status.message).toContain('the configured credentials were rejected');
      const clone = failed.status.stepExecutionMetadata?.find((s) => s.alias === 'clone');
      expect(clone?.status).toMatch(/^(Errored|Failed)$/);
      expect(clone?.message).toContain('credentials were rejected');
    });

    it('changes nothing on the remote', async () => {
      expect(Number(await gitOrigin('rev-list', '--count', 'main'))).toBe(commitsBefore);
      expect(server.requests.some((r) => r.status === 401 && r.hadAuthorization)).toBe(true);
    });

    it('puts neither the wrong nor the right password in the message, record or history', async () => {
      expect(leaks(failed.status.message ?? '', WRONG)).toEqual([]);
      expect(leaks(JSON.stringify(failed), WRONG)).toEqual([]);
      const text = await historyOf(failed.status.workflowId!);
      expect(text).toContain('credentials were rejected');
      expect(leaks(text, WRONG)).toEqual([]);
      expect(leaks(await historyOf(projectWorkflowId(PROJECT)), WRONG)).toEqual([]);
    });

    it('kept every credential out of the worker logs', () => {
      const logs = logLines.join('\n');
      // The capture works: it saw the failed step, message and all.
      expect(logs).toContain('credentials were rejected');
      expect(leaks(logs, WRONG)).toEqual([]);
    });
  });
});
