/**
 * The data of `configMap()`, `sharedConfigMap()`, `sharedSecret()` and `freightStatus()` in a
 * step's config, read inside the step activity: ConfigMap manifests from the worker's credential
 * files, ConfigMaps and Secrets from the project's and the shared Kubernetes namespaces (the fake
 * API server), and a freight's status through the `freightStatus` lookup (the project workflow's
 * query in a worker; test/workflows/freight-status.test.ts runs that one for real).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { MockActivityEnvironment } from '@temporalio/testing';
import { ChainCredentialStore } from '../../activities/adapters/chain-credential-store.js';
import { FileCredentialStore, type CredentialStore, type ProjectCredentials } from '../../activities/adapters/credentials.js';
import { KubernetesCredentialStore } from '../../activities/adapters/kubernetes/credential-store.js';
import { createActivities, type RunStepInput, type RunStepOutcome } from '../../activities/index.js';
import { runStep, type RunStepDeps } from '../../activities/run-step.js';
import type { FreightStatusAnswer } from '../../core/project/freight-status.js';
import type { PlannedStep } from '../../core/promotion/types.js';
import { startFakeCluster, type FakeCluster } from '../support/fake-kube/index.js';
import { Disposer, tempDir } from '../support/git-repos.js';
import { aFreightReference, aRunStepInput, newGitService } from './harness.js';

const disposer = new Disposer();
afterEach(() => disposer.dispose());

const FREIGHT = aFreightReference();

/** Files as an operator mounts them: ConfigMaps and generic Secrets of project guestbook and of the shared namespace. */
const FILES = `apiVersion: v1
kind: ConfigMap
metadata: {name: settings, namespace: guestbook}
data:
  region: eu-west-1
  replicas: "3"
---
apiVersion: v1
kind: Secret
metadata:
  name: settings
  namespace: guestbook
  labels: {kargo.akuity.io/cred-type: generic}
stringData: {region: not-a-configmap}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: feature-flags, namespace: guestbook}
data: {beta: "true"}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: settings, namespace: kargo-shared-resources}
data: {region: eu-central-1}
---
apiVersion: v1
kind: Secret
metadata:
  name: settings
  namespace: kargo-shared-resources
  labels: {kargo.akuity.io/cred-type: generic}
stringData: {region: shared-secret-region}
`;

interface Setup {
  dataDir: string;
  run(step: Partial<PlannedStep> & { uses: string }, extra?: Partial<RunStepInput>): Promise<RunStepOutcome>;
}

async function setup(store: CredentialStore | ProjectCredentials, extraDeps: Partial<RunStepDeps> = {}): Promise<Setup> {
  const credentials: ProjectCredentials = 'forProject' in store ? store : { forProject: () => store };
  const dataDir = await tempDir(disposer, 'shunt-data-');
  const activities = createActivities({ dataDir, workerQueue: 'shunt-worker-1', credentials, git: newGitService(dataDir) });
  const env = new MockActivityEnvironment({ activityType: 'runStep' });
  const { workspaceKey } = (await env.run(activities.prepareWorkspace, { promotion: 'dev.promo-1' })) as { workspaceKey: string };
  const input = (step: Partial<PlannedStep> & { uses: string }, extra: Partial<RunStepInput> = {}): RunStepInput =>
    aRunStepInput(workspaceKey, { alias: 'read', ...step }, { stage: 'prod', promotion: 'dev.promo-1', target: FREIGHT, ...extra });
  return {
    dataDir,
    // Through the registered activity, or straight through runStep when the test adds deps.
    run: (step, extra) =>
      Object.keys(extraDeps).length === 0
        ? (env.run(activities.runStep, input(step, extra)) as Promise<RunStepOutcome>)
        : runStep(
            { workRoot: path.join(dataDir, 'work'), git: newGitService(dataDir), credentials, ...extraDeps },
            input(step, extra),
            { heartbeat: () => undefined, signal: new AbortController().signal },
          ),
  };
}

async function credentialFiles(text: string): Promise<string> {
  const dir = await tempDir(disposer, 'shunt-creds-');
  await fs.promises.writeFile(path.join(dir, 'resources.yaml'), text);
  return dir;
}

describe('configMap() / sharedConfigMap() from the worker’s credential files', () => {
  it('render the ConfigMap’s data; an absent ConfigMap is {}; a Secret of the same name is not a ConfigMap', async () => {
    const s = await setup(new FileCredentialStore(await credentialFiles(FILES)));
    const out = await s.run({
      uses: 'compose-output',
      config: {
        region: "${{ configMap('settings').region }}",
        replicas: "${{ configMap('settings').replicas }}",
        whole: "${{ configMap('feature-flags') }}",
        shared: "${{ sharedConfigMap('settings').region }}",
        computed: "${{ configMap('feature' + '-flags').beta }}",
        missing: "${{ configMap('nope') }}",
        missingKey: "${{ configMap('nope').region ?? 'none' }}",
        secret: "${{ secret('settings').region }}",
      },
    });
    expect(out).toEqual({
      status: 'Succeeded',
      output: {
        region: 'eu-west-1',
        // Kargo's typing: a whole-field expression of a numeric string becomes a number.
        replicas: 3,
        whole: { beta: 'true' },
        shared: 'eu-central-1',
        computed: true,
        missing: {},
        missingKey: 'none',
        // A Secret's value is scrubbed from outputs; a ConfigMap's is not (it is no secret).
        secret: '***',
      },
    });
  });

  it('FileCredentialStore reads ConfigMaps from one file or a folder, re-reading them when they change', async () => {
    const dir = await credentialFiles(FILES);
    const store = new FileCredentialStore(dir).forProject('guestbook');
    expect(await store.configMap('settings')).toEqual({ region: 'eu-west-1', replicas: '3' });
    expect(await store.sharedConfigMap('settings')).toEqual({ region: 'eu-central-1' });
    // The shared lookup reads the shared namespace only; another project's namespace is not read.
    expect(await store.sharedConfigMap('feature-flags')).toEqual({});
    expect(await new FileCredentialStore(dir).forProject('other').configMap('settings')).toEqual({});
    expect(await store.configMap('nope')).toEqual({});
    // ConfigMaps are not Secrets: no credential or secret lookup sees them.
    expect(await store.secret('feature-flags')).toEqual({});
    await fs.promises.writeFile(path.join(dir, 'resources.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings, namespace: guestbook}\ndata: {region: us-east-2}\n');
    await fs.promises.utimes(path.join(dir, 'resources.yaml'), new Date(), new Date(Date.now() + 5000));
    expect(await store.configMap('settings')).toEqual({ region: 'us-east-2' });
    expect(await store.configMap('feature-flags')).toEqual({});
    const single = new FileCredentialStore(path.join(dir, 'resources.yaml')).forProject('guestbook');
    expect(await single.configMap('settings')).toEqual({ region: 'us-east-2' });
  });

  it('a ConfigMap without a name is skipped with a warning naming the file and document', async () => {
    const warnings: string[] = [];
    const dir = await credentialFiles('apiVersion: v1\nkind: ConfigMap\ndata: {a: b}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: ok, namespace: guestbook}\ndata: {a: b}\n');
    const store = new FileCredentialStore(dir, { onWarning: (m) => warnings.push(m) }).forProject('guestbook');
    expect(await store.configMap('ok')).toEqual({ a: 'b' });
    expect(warnings).toEqual(['resources.yaml document 1: ConfigMap without metadata.name ignored']);
  });
});

describe('configMap() / sharedConfigMap() / sharedSecret() with a Kubernetes connection', () => {
  let cluster: FakeCluster;
  beforeEach(async () => {
    cluster = await startFakeCluster();
  });
  afterEach(async () => {
    await cluster.stop();
  });

  const configMap = (namespace: string, name: string, data: Record<string, string>): void => {
    cluster.server.apply({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace }, data });
  };
  const secret = (namespace: string, name: string, type: string | undefined, data: Record<string, string>): void => {
    cluster.server.apply({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name, namespace, ...(type ? { labels: { 'kargo.akuity.io/cred-type': type } } : {}) },
      data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
    });
  };

  /** The worker's chain for project guestbook, as worker/create-workers.ts builds it. */
  async function chain(): Promise<CredentialStore> {
    return new ChainCredentialStore([
      new KubernetesCredentialStore(cluster.clients, 'guestbook'),
      new KubernetesCredentialStore(cluster.clients, 'kargo-shared-resources', { genericSecrets: false, shared: true }),
      new FileCredentialStore(await credentialFiles(FILES)).forProject('guestbook'),
    ]);
  }

  it('configMap reads the project’s namespace, sharedConfigMap the shared one, each falling back to the files', async () => {
    configMap('guestbook', 'settings', { region: 'from-project' });
    configMap('kargo-shared-resources', 'settings', { region: 'from-shared' });
    configMap('kargo-shared-resources', 'only-shared', { k: 'v' });
    configMap('other-project', 'feature-flags', { beta: 'from-other-project' });
    const s = await setup(await chain());
    const out = await s.run({
      uses: 'compose-output',
      config: {
        project: "${{ configMap('settings').region }}",
        shared: "${{ sharedConfigMap('settings').region }}",
        notShared: "${{ configMap('only-shared') }}",
        onlyShared: "${{ sharedConfigMap('only-shared').k }}",
        fromFiles: "${{ configMap('feature-flags').beta }}",
        missing: "${{ sharedConfigMap('nope') }}",
      },
    });
    expect(out).toEqual({
      status: 'Succeeded',
      output: { project: 'from-project', shared: 'from-shared', notShared: {}, onlyShared: 'v', fromFiles: true, missing: {} },
    });
    expect(cluster.server.requests).toContainEqual(expect.objectContaining({ method: 'GET', path: '/api/v1/namespaces/guestbook/configmaps/settings' }));
    expect(cluster.server.requests).toContainEqual(
      expect.objectContaining({ method: 'GET', path: '/api/v1/namespaces/kargo-shared-resources/configmaps/settings' }),
    );
  });

  it('sharedSecret reads only generic Secrets of the shared namespace (then the files); secret the project’s', async () => {
    secret('kargo-shared-resources', 'slack', 'generic', { token: 'shared-token' });
    secret('kargo-shared-resources', 'unlabelled', undefined, { token: 'not-generic' });
    secret('guestbook', 'slack', 'generic', { token: 'project-token' });
    secret('guestbook', 'project-only', 'generic', { token: 'project-only-token' });
    const s = await setup(await chain());
    const out = await s.run({
      uses: 'compose-output',
      config: {
        shared: "${{ sharedSecret('slack').token }}",
        project: "${{ secret('slack').token }}",
        unlabelled: "${{ sharedSecret('unlabelled') }}",
        projectOnly: "${{ sharedSecret('project-only') }}",
        fromFiles: "${{ sharedSecret('settings').region }}",
      },
    });
    // Secret values never leave the activity in outputs: they come back as ***.
    expect(out).toEqual({
      status: 'Succeeded',
      output: { shared: '***', project: '***', unlabelled: {}, projectOnly: {}, fromFiles: '***' },
    });
    expect(cluster.server.requests).toContainEqual(
      expect.objectContaining({ method: 'GET', path: '/api/v1/namespaces/kargo-shared-resources/secrets/slack' }),
    );
  });

  it('a cluster it cannot reach: the step errors naming the ConfigMap, the namespace and the server', async () => {
    const store = await chain();
    const url = cluster.server.url;
    await cluster.stop();
    const s = await setup(store);
    await expect(s.run({ uses: 'compose-output', config: { x: "${{ configMap('settings') }}" } })).rejects.toMatchObject({
      message: expect.stringContaining(`reading ConfigMap "settings" in namespace "guestbook": the Kubernetes API server ${url} cannot be reached`),
    });
    cluster = await startFakeCluster();
  });
});

describe('freightStatus()', () => {
  const STATUS: FreightStatusAnswer = {
    name: FREIGHT.name,
    status: {
      currentlyIn: { dev: { since: '2026-11-20T10:00:00Z' } },
      verifiedIn: { dev: { verifiedAt: '2026-11-20T10:05:00Z', longestSoak: '1h0m0s' } },
      approvedFor: { prod: { approvedAt: '2026-11-20T11:00:00Z', approvedBy: 'alice' } },
      metadata: { ticket: 'OPS-1' },
    },
  };

  async function withStatuses(): Promise<{ s: Setup; asked: string[] }> {
    const asked: string[] = [];
    const s = await setup(new FileCredentialStore(await credentialFiles(FILES)), {
      freightStatus: async (project, name) => {
        asked.push(`${project}/${name}`);
        return name === FREIGHT.name || name === FREIGHT.alias ? STATUS : undefined;
      },
    });
    return { s, asked };
  }

  it('renders the freight’s whole status (JSON and Go field names); unknown freight is nil', async () => {
    const { s, asked } = await withStatuses();
    const out = await s.run({
      uses: 'compose-output',
      config: {
        whole: '${{ freightStatus(ctx.targetFreight.name) }}',
        inDev: "${{ 'dev' in freightStatus(ctx.targetFreight.name).currentlyIn }}",
        since: "${{ freightStatus(ctx.targetFreight.name).CurrentlyIn.dev.since }}",
        soak: "${{ freightStatus(ctx.targetFreight.alias).verifiedIn['dev'].longestSoak }}",
        approvedBy: '${{ freightStatus(ctx.targetFreight.name).ApprovedFor.prod.approvedBy }}',
        ticket: '${{ freightStatus(ctx.targetFreight.name).metadata.ticket }}',
        unknown: "${{ freightStatus('no-such-freight') }}",
        unknownIsNil: "${{ freightStatus('no-such-freight') == nil }}",
      },
    });
    expect(out).toEqual({
      status: 'Succeeded',
      output: {
        whole: STATUS.status,
        inDev: true,
        since: '2026-11-20T10:00:00Z',
        soak: '1h0m0s',
        approvedBy: 'alice',
        ticket: 'OPS-1',
        unknown: null,
        unknownIsNil: true,
      },
    });
    // Asked once per name for the whole step, however often the expressions call it.
    expect(asked.sort()).toEqual([`guestbook/${FREIGHT.name}`, 'guestbook/no-such-freight', `guestbook/${FREIGHT.alias}`]);
  });

  it('a step that does not call freightStatus() does not ask for it', async () => {
    const { s, asked } = await withStatuses();
    expect(await s.run({ uses: 'compose-output', config: { x: "${{ configMap('settings').region }}" } })).toEqual({
      status: 'Succeeded',
      output: { x: 'eu-west-1' },
    });
    expect(asked).toEqual([]);
  });

  it('metadata is the promotion’s own view: earlier set-metadata steps of the promotion show at once', async () => {
    const { s } = await withStatuses();
    const changed = await s.run(
      { uses: 'compose-output', config: { md: '${{ freightStatus(ctx.targetFreight.name).metadata }}' } },
      { metadata: { freight: { [FREIGHT.name]: { ticket: 'OPS-2', owner: 'bob' } }, stages: {} } },
    );
    expect(changed).toEqual({ status: 'Succeeded', output: { md: { ticket: 'OPS-2', owner: 'bob' } } });
    const cleared = await s.run(
      { uses: 'compose-output', config: { md: '${{ freightStatus(ctx.targetFreight.name).metadata }}' } },
      { metadata: { freight: {}, stages: {} } },
    );
    expect(cleared).toEqual({ status: 'Succeeded', output: { md: null } });
  });

  it('without a project workflow to ask (no Temporal client), freightStatus() is nil', async () => {
    const s = await setup(new FileCredentialStore(await credentialFiles(FILES)));
    expect(await s.run({ uses: 'compose-output', config: { x: '${{ freightStatus(ctx.targetFreight.name) }}' } })).toEqual({
      status: 'Succeeded',
      output: { x: null },
    });
  });

  it('bad arguments are expression errors naming the step and field', async () => {
    const { s } = await withStatuses();
    await expect(s.run({ uses: 'compose-output', config: { x: "${{ freightStatus('') }}" } })).rejects.toMatchObject({
      message: expect.stringMatching(/^step "read": config\.x: freightStatus: argument must not be empty/),
    });
    await expect(s.run({ uses: 'compose-output', config: { x: '${{ configMap(1) }}' } })).rejects.toMatchObject({
      message: expect.stringMatching(/^step "read": config\.x: configMap: argument must be string, got int/),
    });
  });
});
