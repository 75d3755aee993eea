/**
 * How a worker connects to Kubernetes: in-cluster, KUBECONFIG (and a context), or explicit;
 * every bad setting is refused at start with what is wrong.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createKubeClients } from '../../activities/adapters/kubernetes/client.js';
import { kubeConnectionFrom } from '../../worker/config.js';
import { anApplication, startFakeCluster } from '../support/fake-kube/index.js';
import { Disposer, tempDir } from '../support/git-repos.js';

const disposer = new Disposer();
afterEach(() => disposer.dispose());

async function file(name: string, text: string): Promise<string> {
  const p = path.join(await tempDir(disposer), name);
  await fs.promises.writeFile(p, text);
  return p;
}

describe('Kubernetes connection', () => {
  it('reads a kubeconfig and talks to the cluster it names', async () => {
    const cluster = await startFakeCluster();
    try {
      cluster.server.apply(anApplication({ name: 'web' }));
      const clients = createKubeClients({ mode: 'kubeconfig', path: await file('config', cluster.kubeconfig()) });
      expect(clients.server).toBe(cluster.server.url);
      const app = await clients.custom.getNamespacedCustomObject({ group: 'argoproj.io', version: 'v1alpha1', namespace: 'argocd', plural: 'applications', name: 'web' });
      expect(app.metadata.name).toBe('web');
    } finally {
      await cluster.stop();
    }
  });

  describe('bad settings, each refused with what is wrong', () => {
    it('a kubeconfig that does not exist', () => {
      expect(() => createKubeClients({ mode: 'kubeconfig', path: '/nonexistent/kubeconfig' })).toThrow('kubeconfig /nonexistent/kubeconfig cannot be read: ENOENT');
    });
    it('a kubeconfig that is not one', async () => {
      const p = await file('config', 'clusters: [ {');
      expect(() => createKubeClients({ mode: 'kubeconfig', path: p })).toThrow(`kubeconfig ${p} is not a valid kubeconfig`);
    });
    it('a context the kubeconfig does not have', async () => {
      const cluster = await startFakeCluster();
      try {
        const p = await file('config', cluster.kubeconfig());
        expect(() => createKubeClients({ mode: 'kubeconfig', path: p, context: 'prod' })).toThrow(`kubeconfig ${p} has no context "prod"`);
      } finally {
        await cluster.stop();
      }
    });
    it('a kubeconfig without a current context', async () => {
      const p = await file('config', 'apiVersion: v1\nkind: Config\nclusters: []\nusers: []\ncontexts: []\n');
      expect(() => createKubeClients({ mode: 'kubeconfig', path: p })).toThrow('names no current context with a cluster');
    });
    it('an API server that is not a URL', () => {
      expect(() => createKubeClients({ mode: 'explicit', server: 'not a url' })).toThrow('Kubernetes API server "not a url" is not a URL');
    });
    it('in-cluster outside a pod', () => {
      expect(() => createKubeClients({ mode: 'in-cluster' })).toThrow(
        'in-cluster Kubernetes connection requested, but /var/run/secrets/kubernetes.io/serviceaccount/token is missing',
      );
    });
  });

  it.each([
    [{ SHUNT_KUBERNETES: 'auto' as const }, undefined],
    [{ SHUNT_KUBERNETES: 'auto' as const, KUBERNETES_SERVICE_HOST: '10.0.0.1', KUBECONFIG: '/k' }, { mode: 'in-cluster' }],
    [{ SHUNT_KUBERNETES: 'auto' as const, KUBECONFIG: '/a:/b' }, { mode: 'kubeconfig', path: '/a' }],
    [{ SHUNT_KUBERNETES: 'kubeconfig' as const, HOME: '/home/s', SHUNT_KUBE_CONTEXT: 'kind' }, { mode: 'kubeconfig', path: '/home/s/.kube/config', context: 'kind' }],
    [{ SHUNT_KUBERNETES: 'off' as const, KUBERNETES_SERVICE_HOST: '10.0.0.1' }, undefined],
    [{ SHUNT_KUBERNETES: 'in-cluster' as const }, { mode: 'in-cluster' }],
  ])('worker settings %j connect with %j', (env, expected) => {
    expect(kubeConnectionFrom(env)).toEqual(expected);
  });
});

describe('the worker process with a Kubernetes connection that cannot work', () => {
  it.each([
    [{ KUBECONFIG: '/nonexistent/kubeconfig' }, 'config: kubeconfig /nonexistent/kubeconfig cannot be read: ENOENT'],
    [{ SHUNT_KUBERNETES: 'in-cluster' }, 'config: in-cluster Kubernetes connection requested, but /var/run/secrets/kubernetes.io/serviceaccount/token is missing: this process is not in a pod with a service account'],
    [{ ARGOCD_SERVER: 'https://argocd.example.com' }, 'config: ARGOCD_SERVER and ARGOCD_AUTH_TOKEN go together: set both or neither'],
  ])('%j: exits with the configuration exit code, saying what is wrong', async (env, message) => {
    const { spawnSync } = await import('node:child_process');
    const { EXIT_CONFIG } = await import('../../core/exit-codes.js');
    const clean = Object.fromEntries(
      Object.entries(process.env).filter(([k]) => !/^(KUBECONFIG|KUBERNETES_SERVICE_HOST|SHUNT_KUBERNETES|ARGOCD_)/.test(k)),
    );
    const res = spawnSync(process.execPath, [path.resolve('dist/worker/main.js')], {
      env: { ...clean, TEMPORAL_ADDRESS: '127.0.0.1:7', ...env },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect({ status: res.status, stderr: res.stderr.trim() }).toEqual({ status: EXIT_CONFIG, stderr: message });
  });
});
