/**
 * Issue 13, finding 5 (api side): a webhook receiver's Secret is read in its own project's
 * namespace of SHUNT_CREDENTIALS, never another project's (a projb receiver naming proja's
 * Secret gets no URL).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { FileCredentialStore } from '../../activities/adapters/credentials.js';
import { receiverPaths } from '../../api/webhooks/receivers.js';
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
      { name: 'gh', provider: 'github', problem: 'Secret "gh-webhook" has no "secret" key' },
    ]);
  });
});
