/**
 * A real Argo CD (v3, built from the module proxy) against a RealKube cluster: redis, the
 * repo-server (plain gRPC on loopback; it clones over HTTP with the repository Secret's
 * credentials and renders kustomize through the kubectl shim) and the application controller,
 * which syncs into the same cluster (ARGOCD_FAKE_IN_CLUSTER) and judges health itself.
 */
import { mkdir } from 'node:fs/promises';
import { createConnection } from 'node:net';
import { join } from 'node:path';
import { freePort } from '../../../launcher/free-port.js';
import type { RealKube } from './cluster.js';
import { ServerProcess, waitReady } from './processes.js';

export const ARGOCD_NAMESPACE = 'argocd';

const portOpen = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const s = createConnection({ host: '127.0.0.1', port }, () => {
      s.end();
      resolve(true);
    });
    s.on('error', () => resolve(false));
  });

export interface RepoCredential {
  url: string;
  username: string;
  password: string;
}

export class RealArgoCD {
  private redis!: ServerProcess;
  private repoServer!: ServerProcess;
  private controller!: ServerProcess;

  constructor(private readonly kube: RealKube) {}

  async start(repos: RepoCredential[]): Promise<void> {
    const { tools } = this.kube;
    const dir = join(this.kube.dir, 'argocd');
    await mkdir(join(dir, 'home'), { recursive: true });
    await this.kube.installCRDs([tools.crds.application, tools.crds.appProject]);
    await this.kube.apply([
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ARGOCD_NAMESPACE } },
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'argocd-cm', namespace: ARGOCD_NAMESPACE, labels: { 'app.kubernetes.io/part-of': 'argocd' } }, data: {} },
      {
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: 'argocd-secret', namespace: ARGOCD_NAMESPACE, labels: { 'app.kubernetes.io/part-of': 'argocd' } },
        stringData: { 'server.secretkey': 'test-only-secret-key' },
      },
      {
        apiVersion: 'argoproj.io/v1alpha1',
        kind: 'AppProject',
        metadata: { name: 'default', namespace: ARGOCD_NAMESPACE },
        spec: {
          sourceRepos: ['*'],
          destinations: [{ server: '*', namespace: '*' }],
          clusterResourceWhitelist: [{ group: '*', kind: '*' }],
        },
      },
      ...repos.map((r, i) => ({
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: `repo-${i}`, namespace: ARGOCD_NAMESPACE, labels: { 'argocd.argoproj.io/secret-type': 'repository' } },
        stringData: { type: 'git', url: r.url, username: r.username, password: r.password },
      })),
    ]);

    const redisPort = await freePort();
    this.redis = new ServerProcess('redis', tools.redis, ['--port', String(redisPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { dir });
    this.redis.start();
    await waitReady(this.redis, () => portOpen(redisPort));

    const env = {
      PATH: `${tools.argocdBin}:${process.env.PATH ?? ''}`,
      HOME: join(dir, 'home'),
      ARGOCD_GPG_ENABLED: 'false',
      // The askpass socket's default is one fixed path in /tmp, shared by every repo-server.
      ARGOCD_ASK_PASS_SOCK: join(dir, 'askpass.sock'),
      ARGOCD_FAKE_IN_CLUSTER: 'true',
      KUBECONFIG: this.kube.adminKubeconfig,
      KUBE_FEATURE_WatchListClient: 'false',
    };
    const repoPort = await freePort();
    this.repoServer = new ServerProcess(
      'argocd-repo-server',
      join(tools.argocdBin, 'argocd-repo-server'),
      [
        '--address=127.0.0.1',
        `--port=${repoPort}`,
        '--metrics-address=127.0.0.1',
        `--metrics-port=${await freePort()}`,
        '--disable-tls',
        '--client-ca-path=',
        `--redis=127.0.0.1:${redisPort}`,
        '--parallelismlimit=2',
        '--logformat=text',
      ],
      { dir, env },
    );
    this.repoServer.start();
    await waitReady(this.repoServer, () => portOpen(repoPort));

    this.controller = new ServerProcess(
      'argocd-application-controller',
      join(tools.argocdBin, 'argocd-application-controller'),
      [
        `--kubeconfig=${this.kube.adminKubeconfig}`,
        `--namespace=${ARGOCD_NAMESPACE}`,
        `--repo-server=127.0.0.1:${repoPort}`,
        '--repo-server-plaintext',
        `--redis=127.0.0.1:${redisPort}`,
        `--metrics-port=${await freePort()}`,
        '--status-processors=2',
        '--operation-processors=2',
        '--kubectl-parallelism-limit=2',
        '--app-resync=30',
        '--logformat=text',
      ],
      { dir, env },
    );
    this.startController();
  }

  /** The application controller (stopped, nothing syncs: operations stay requested). */
  startController(): void {
    this.controller.start();
  }

  async stopController(): Promise<void> {
    await this.controller.stop();
  }

  async stop(): Promise<void> {
    for (const p of [this.controller, this.repoServer, this.redis]) await p?.stop();
  }

  logs(): string {
    return [this.controller, this.repoServer].map((p) => `--- ${p.name}\n${p.tail(30)}`).join('\n');
  }
}
