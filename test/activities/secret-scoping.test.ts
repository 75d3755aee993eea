/**
 * Issue 13, finding 5: with SHUNT_CREDENTIALS (files), a step of project projb read proja's
 * generic Secret through secret() and sharedSecret(), and projb pushed with proja's git
 * credential. File Secrets and ConfigMaps are now scoped by metadata.namespace as in a cluster:
 * the project's namespace, then the shared one (kargo-shared-resources) for sharedSecret(),
 * sharedConfigMap() and repository credentials; an object without a namespace is ignored with a
 * warning naming its file. And a value computed from a Secret (lower(), split/join, reversal)
 * never reaches an error message or output the step builds: only `***` does.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { MockActivityEnvironment } from '@temporalio/testing';
import { FileCredentialStore } from '../../activities/adapters/credentials.js';
import { createActivities, type RunStepInput, type RunStepOutcome } from '../../activities/index.js';
import type { PlannedStep } from '../../core/promotion/types.js';
import { Disposer, tempDir } from '../support/git-repos.js';
import { aRunStepInput, newGitService } from './harness.js';

const disposer = new Disposer();
afterEach(() => disposer.dispose());

const TOKEN = 'Proj-A-Token-9f2c';
const REPO = 'https://git.example.com/org/gitops.git';

const FILES = `apiVersion: v1
kind: Secret
metadata: {name: app-token, namespace: proja, labels: {kargo.akuity.io/cred-type: generic}}
stringData: {token: ${TOKEN}}
---
apiVersion: v1
kind: Secret
metadata: {name: repo, namespace: proja, labels: {kargo.akuity.io/cred-type: git}}
stringData: {repoURL: "${REPO}", username: a-bot, password: proj-a-git-password}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: settings, namespace: proja}
data: {region: proja-region}
---
apiVersion: v1
kind: Secret
metadata: {name: slack, namespace: kargo-shared-resources, labels: {kargo.akuity.io/cred-type: generic}}
stringData: {token: shared-slack-token}
---
apiVersion: v1
kind: Secret
metadata: {name: registry, namespace: kargo-shared-resources, labels: {kargo.akuity.io/cred-type: image}}
stringData: {repoURL: ghcr.io/org/app, username: shared, password: shared-registry-password}
---
apiVersion: v1
kind: Secret
metadata: {name: app-token, labels: {kargo.akuity.io/cred-type: generic}}
stringData: {token: no-namespace-token}
`;

async function credentialFiles(): Promise<string> {
  const dir = await tempDir(disposer, 'shunt-creds-');
  await fs.promises.writeFile(path.join(dir, 'secrets.yaml'), FILES);
  return dir;
}

interface Runner {
  run(project: string, step: Partial<PlannedStep> & { uses: string }): Promise<RunStepOutcome>;
}

async function runner(credentials: FileCredentialStore): Promise<Runner> {
  const dataDir = await tempDir(disposer, 'shunt-data-');
  const activities = createActivities({ dataDir, workerQueue: 'w1', credentials, git: newGitService(dataDir) });
  const env = new MockActivityEnvironment({ activityType: 'runStep' });
  const { workspaceKey } = (await env.run(activities.prepareWorkspace, { promotion: 'dev.p1' })) as { workspaceKey: string };
  return {
    run: (project, step) => env.run(activities.runStep, { ...aRunStepInput(workspaceKey, { alias: 'x', ...step }), project } satisfies RunStepInput) as Promise<RunStepOutcome>,
  };
}

describe('file credentials are scoped by metadata.namespace', () => {
  it("a step of projb cannot read proja's Secret or ConfigMap through secret(), sharedSecret() or configMap()", async () => {
    const r = await runner(new FileCredentialStore(await credentialFiles()));
    const config = {
      own: "${{ secret('app-token') }}",
      shared: "${{ sharedSecret('app-token') }}",
      legacy: '${{ secrets["app-token"] }}',
      cm: "${{ configMap('settings') }}",
      sharedCm: "${{ sharedConfigMap('settings') }}",
    };
    expect(await r.run('projb', { uses: 'compose-output', config })).toEqual({
      status: 'Succeeded',
      output: { own: {}, shared: {}, legacy: {}, cm: {}, sharedCm: {} },
    });
    // proja reads its own; the values are masked in outputs.
    expect(await r.run('proja', { uses: 'compose-output', config: { own: "${{ secret('app-token').token }}", cm: "${{ configMap('settings').region }}" } })).toEqual({
      status: 'Succeeded',
      output: { own: '***', cm: 'proja-region' },
    });
  });

  it('sharedSecret() reads only the shared namespace; secret() does not read it', async () => {
    const r = await runner(new FileCredentialStore(await credentialFiles()));
    const out = await r.run('projb', {
      uses: 'compose-output',
      config: { shared: "${{ sharedSecret('slack').token == 'shared-slack-token' }}", notOwn: "${{ secret('slack') }}" },
    });
    expect(out).toEqual({ status: 'Succeeded', output: { shared: true, notOwn: {} } });
  });

  it("repository credentials: projb does not get proja's git credential; both get the shared namespace's", async () => {
    const store = new FileCredentialStore(await credentialFiles());
    expect(await store.forProject('projb').git(REPO)).toBeUndefined();
    expect(await store.forProject('proja').git(REPO)).toEqual({ username: 'a-bot', password: 'proj-a-git-password' });
    for (const project of ['proja', 'projb']) {
      expect(await store.forProject(project).image('ghcr.io/org/app')).toEqual({ username: 'shared', password: 'shared-registry-password' });
    }
  });

  it('an object without metadata.namespace is nobody’s, with a warning naming the file and never its values', async () => {
    const warnings: string[] = [];
    const store = new FileCredentialStore(await credentialFiles(), { onWarning: (m) => warnings.push(m) });
    for (const project of ['proja', 'projb', 'default', 'kargo-shared-resources']) {
      expect(await store.forProject(project).secret('app-token')).not.toEqual({ token: 'no-namespace-token' });
      expect(await store.forProject(project).sharedSecret('app-token')).toEqual({});
    }
    expect(warnings).toEqual([
      'secrets.yaml document 6: Secret "app-token" has no metadata.namespace and is ignored: set it to the project\'s name, or to "kargo-shared-resources" to share it with every project',
    ]);
  });

  it('the shared namespace follows SHUNT_SHARED_NAMESPACE', async () => {
    const store = new FileCredentialStore(await credentialFiles(), { sharedNamespace: 'proja' });
    expect(await store.forProject('projb').sharedSecret('app-token')).toEqual({ token: TOKEN });
    expect(await store.forProject('projb').sharedSecret('slack')).toEqual({});
  });
});

describe('values computed from a Secret never reach what a step shows', () => {
  const lowered = TOKEN.toLowerCase();
  const reversed = [...TOKEN].reverse().join('');
  const dashed = [...TOKEN].join('-');

  it.each([
    ['lower()', "${{ 'token: ' + lower(secret('app-token').token) }}", lowered],
    ['split/join', "${{ join(split(secret('app-token').token, ''), '-') }}", dashed],
    ['reversal', "${{ join(reverse(split(secret('app-token').token, '')), '') }}", reversed],
    ['a var computed from it', '${{ vars.t }}', reversed],
  ])('%s: a fail step’s own message shows *** instead', async (_what, message, derived) => {
    const r = await runner(new FileCredentialStore(await credentialFiles()));
    const run = r.run('proja', {
      uses: 'fail',
      vars: [{ name: 't', value: "${{ join(reverse(split(secret('app-token').token, '')), '') }}" }],
      config: { message },
    });
    const err = (await run.then(
      () => undefined,
      (e: unknown) => e,
    )) as Error;
    expect(err).toBeInstanceOf(Error);
    expect(err.message).toContain('***');
    expect(err.message).not.toContain(derived);
    expect(err.message.toLowerCase()).not.toContain(lowered);
  });

  it.each([
    ['int(lower(...))', "${{ int(lower(secret('app-token').token)) }}"],
    ['semverParse(reverse)', "${{ semverParse(join(reverse(split(secret('app-token').token, '')), '')) }}"],
    ['duration(lower(...))', "${{ duration(lower(secret('app-token').token)) }}"],
    ['fromJSON(lower(...))', "${{ fromJSON(lower(secret('app-token').token)) }}"],
    ['a computed index', "${{ [1, 2][lower(secret('app-token').token)] }}"],
    ['a computed regex', "${{ 'x' matches ('(' + lower(secret('app-token').token)) }}"],
  ])('an expression error (%s) names the expression, never the evaluated value', async (_what, expr) => {
    const r = await runner(new FileCredentialStore(await credentialFiles()));
    const err = (await r.run('proja', { uses: 'compose-output', config: { v: expr } }).then(
      () => undefined,
      (e: unknown) => e,
    )) as Error;
    expect(err).toBeInstanceOf(Error);
    expect(err.message).toMatch(/^step "x": config\.v: /);
    expect(err.message.toLowerCase()).not.toContain(lowered);
    expect(err.message).not.toContain(reversed);
  });

  it('outputs computed from a Secret are masked too', async () => {
    const r = await runner(new FileCredentialStore(await credentialFiles()));
    expect(await r.run('proja', { uses: 'compose-output', config: { l: "${{ lower(secret('app-token').token) }}", n: '${{ ctx.project }}' } })).toEqual({
      status: 'Succeeded',
      output: { l: '***', n: 'proja' },
    });
  });
});
