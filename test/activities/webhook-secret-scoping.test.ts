/**
 * Issue 13, finding 5 (api side): a webhook receiver's Secret is read in its own project's
 * namespace of SHUNT_CREDENTIALS, never another project's (a projb receiver naming proja's
 * Secret gets no URL).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { FileCredentialStore } from '../../activities/adapters/credentials.js';
import { receiverPath, receiverPaths, webhookSecrets } from '../../api/webhooks/receivers.js';
import type { ProjectConfig } from '../../core/model.js';
import type { ProjectState } from '../../core/project/state.js';
import { Disposer, tempDir } from '../support/git-repos.js';

const disposer = new Disposer();
afterEach(() => disposer.dispose());

function projectWithReceiver(project: string): ProjectState {
  const config = {
    apiVersion: 'kargo.akuity.io/v1alpha1',
    kind: 'ProjectConfig',
    metadata: { name: project, namespace: project },
    spec: { webhookReceivers: [{ name: 'gh', github: { secretRef: { name: 'gh-webhook' } } }] },
  } as unknown as ProjectConfig;
  return {
    project,
    specs: { warehouses: {}, stages: {}, tasks: {}, clusterTasks: {}, config },
    freight: {},
    stages: {},
    promotions: [],
    updatedAt: '2026-01-01T00:00:00Z',
  } as unknown as ProjectState;
}

describe('webhook receivers read their Secret in their own project only', () => {
  it('proja’s Secret gives proja’s receiver a URL and projb’s none', async () => {
    const dir = await tempDir(disposer, 'shunt-creds-');
    await fs.promises.writeFile(
      path.join(dir, 'hooks.yaml'),
      'apiVersion: v1\nkind: Secret\nmetadata: {name: gh-webhook, namespace: proja, labels: {kargo.akuity.io/cred-type: generic}}\nstringData: {secret: proj-a-hmac-secret}\n',
    );
    const store = new FileCredentialStore(dir);
    const [a] = await receiverPaths(projectWithReceiver('proja'), store);
    expect(a).toEqual({ name: 'gh', provider: 'github', path: expect.stringMatching(/^\/webhooks\/github\/[0-9a-f]{64}$/) as unknown as string });
    expect(await receiverPaths(projectWithReceiver('projb'), store)).toEqual([
      { name: 'gh', provider: 'github', problem: 'Secret "gh-webhook" in namespace "projb" has no "secret" key' },
    ]);
  });

  it("a ClusterConfig receiver reads its Secret in the system namespace only, not a project's or the shared one", async () => {
    const dir = await tempDir(disposer, 'shunt-creds-');
    const secret = (name: string, namespace: string, value: string): string =>
      `apiVersion: v1\nkind: Secret\nmetadata: {name: ${name}, namespace: ${namespace}, labels: {kargo.akuity.io/cred-type: generic}}\nstringData: {secret: ${value}}\n`;
    await fs.promises.writeFile(
      path.join(dir, 'hooks.yaml'),
      [secret('org', 'kargo-system-resources', 'system'), secret('in-project', 'proja', 'project'), secret('shared', 'kargo-shared-resources', 'shared')].join('---\n'),
    );
    const store = webhookSecrets(new FileCredentialStore(dir), 'kargo-system-resources');
    const receiver = (secretName: string) => ({ name: 'r', provider: 'github' as const, secretName });
    expect(await receiverPath(undefined, receiver('org'), store)).toMatchObject({ path: expect.stringMatching(/^\/webhooks\/github\/[0-9a-f]{64}$/) as unknown as string });
    for (const name of ['in-project', 'shared']) {
      expect(await receiverPath(undefined, receiver(name), store)).toEqual({ name: 'r', provider: 'github', problem: `Secret "${name}" in namespace "kargo-system-resources" has no "secret" key` });
    }
    const elsewhere = webhookSecrets(new FileCredentialStore(dir), 'ops-system');
    expect((await receiverPath(undefined, receiver('org'), elsewhere)).problem).toBe('Secret "org" in namespace "ops-system" has no "secret" key');
  });
});
