/**
 * The fake cluster for tests: the API server, an Argo CD-like controller and an Argo
 * Rollouts-like analysis controller, plus the real @kubernetes/client-node clients pointed at it.
 */
import { createKubeClients, type KubeClients } from '../../../activities/adapters/kubernetes/client.js';
import { FakeArgoCDController, type ArgoCDControllerOptions } from './argocd-controller.js';
import { FakeRolloutsController } from './rollouts-controller.js';
import { FakeKubeServer } from './server.js';

export { FakeKubeServer } from './server.js';
export { FakeArgoCDController } from './argocd-controller.js';
export { FakeRolloutsController } from './rollouts-controller.js';

export interface FakeCluster {
  server: FakeKubeServer;
  argocd: FakeArgoCDController;
  rollouts: FakeRolloutsController;
  clients: KubeClients;
  token: string;
  /** A kubeconfig (YAML) for this cluster, as a worker would read from KUBECONFIG. */
  kubeconfig(): string;
  stop(): Promise<void>;
}

export interface FakeClusterOptions extends ArgoCDControllerOptions {
  /** false: a cluster with Argo CD but without Argo Rollouts (no AnalysisRun or AnalysisTemplate resource). */
  rollouts?: boolean;
}

export async function startFakeCluster(opts: FakeClusterOptions = {}): Promise<FakeCluster> {
  const token = 'fake-kube-token-0123456789';
  const server = await new FakeKubeServer({ token, ...(opts.rollouts === false ? { unserved: ['analysisruns', 'analysistemplates'] } : {}) }).start();
  const argocd = new FakeArgoCDController(server, opts).start();
  const rollouts = new FakeRolloutsController(server).start();
  const clients = createKubeClients({ mode: 'explicit', server: server.url, token });
  return {
    server,
    argocd,
    rollouts,
    clients,
    token,
    kubeconfig: () =>
      [
        'apiVersion: v1',
        'kind: Config',
        'clusters:',
        '- name: fake',
        '  cluster:',
        `    server: ${server.url}`,
        '    insecure-skip-tls-verify: true',
        'users:',
        '- name: shunt',
        '  user:',
        `    token: ${token}`,
        'contexts:',
        '- name: fake',
        '  context:',
        '    cluster: fake',
        '    user: shunt',
        'current-context: fake',
        '',
      ].join('\n'),
    async stop() {
      argocd.stop();
      rollouts.stop();
      await server.stop();
    },
  };
}

/** An Argo CD Application manifest, authorized for `project:stage` unless told otherwise. */
export function anApplication(opts: {
  name: string;
  namespace?: string;
  authorizedStage?: string | null;
  annotationKey?: string;
  repoURL?: string;
  targetRevision?: string;
  sources?: Array<Record<string, unknown>>;
  labels?: Record<string, string>;
}): Record<string, unknown> {
  const annotations: Record<string, string> = {};
  if (opts.authorizedStage !== null) annotations[opts.annotationKey ?? 'kargo.akuity.io/authorized-stage'] = opts.authorizedStage ?? 'guestbook:dev';
  const source = { repoURL: opts.repoURL ?? 'https://github.com/example/gitops.git', path: 'env/dev', targetRevision: opts.targetRevision ?? 'main' };
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Application',
    metadata: { name: opts.name, namespace: opts.namespace ?? 'argocd', annotations, ...(opts.labels ? { labels: opts.labels } : {}) },
    spec: {
      project: 'default',
      destination: { server: 'https://kubernetes.default.svc', namespace: 'guestbook' },
      ...(opts.sources ? { sources: opts.sources } : { source }),
    },
    status: { sync: { status: 'OutOfSync' }, health: { status: 'Healthy' } },
  };
}
