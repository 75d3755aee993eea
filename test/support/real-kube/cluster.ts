/**
 * A real Kubernetes control plane on loopback for end-to-end tests: etcd (Debian), kube-apiserver
 * with TLS, RBAC, static-token users and a service-account signing key, and on request
 * kube-controller-manager, kube-scheduler and KWOK (a fake node on which pods run and
 * Deployments become available). Every port is a free one; everything lives in one temp dir.
 * Startup takes seconds to a minute on a loaded machine: start one cluster per suite file.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import * as https from 'node:https';
import { join } from 'node:path';
import { freePort } from '../../../launcher/free-port.js';
import { makeCerts, type ClusterCerts } from './certs.js';
import { ServerProcess, waitReady } from './processes.js';
import { requireKubeTools, type KubeTools } from './tools.js';

export interface RealKubeOptions {
  /** The work directory (removed by the caller). */
  dir: string;
  /** Also run controller-manager, scheduler and KWOK, so Deployments roll out (Argo CD health). */
  workloads?: boolean;
}

/** A cluster-admin user of the static token file (the harness's own). */
const ADMIN = 'test-admin';

export class RealKube {
  readonly tools: KubeTools;
  server = '';
  certs!: ClusterCerts;
  private readonly adminToken = randomBytes(16).toString('hex');
  private readonly procs: ServerProcess[] = [];
  private apiserver!: ServerProcess;
  private etcdPort = 0;
  private apiPort = 0;

  constructor(private readonly opts: RealKubeOptions) {
    this.tools = requireKubeTools();
  }

  get dir(): string {
    return this.opts.dir;
  }

  /** Path of a kubeconfig for the admin user. */
  get adminKubeconfig(): string {
    return join(this.dir, 'admin.kubeconfig');
  }

  async start(): Promise<void> {
    await mkdir(join(this.dir, 'etcd'), { recursive: true });
    this.certs = await makeCerts(this.dir);
    await writeFile(join(this.dir, 'tokens.csv'), `${this.adminToken},${ADMIN},${ADMIN},"system:masters"\n`);
    this.etcdPort = await freePort();
    const peerPort = await freePort();
    const etcd = this.process('etcd', this.tools.etcd, [
      '--name=default',
      `--data-dir=${join(this.dir, 'etcd')}`,
      `--listen-client-urls=http://127.0.0.1:${this.etcdPort}`,
      `--advertise-client-urls=http://127.0.0.1:${this.etcdPort}`,
      `--listen-peer-urls=http://127.0.0.1:${peerPort}`,
      `--initial-advertise-peer-urls=http://127.0.0.1:${peerPort}`,
      `--initial-cluster=default=http://127.0.0.1:${peerPort}`,
      '--log-level=warn',
    ]);
    etcd.start();
    await waitReady(etcd, async () => (await fetch(`http://127.0.0.1:${this.etcdPort}/health`)).ok);

    this.apiPort = await freePort();
    this.server = `https://127.0.0.1:${this.apiPort}`;
    this.apiserver = this.process('kube-apiserver', this.tools.kubeApiserver, this.apiserverArgs());
    await this.startApiserver();
    await this.writeKubeconfig(this.adminKubeconfig, this.adminToken);

    if (this.opts.workloads) await this.startWorkloads();
  }

  private process(name: string, command: string, args: string[], env: Record<string, string> = {}): ServerProcess {
    const p = new ServerProcess(name, command, args, { dir: this.dir, env });
    this.procs.push(p);
    return p;
  }

  private apiserverArgs(): string[] {
    const c = (): ClusterCerts => this.certs;
    return [
      `--etcd-servers=http://127.0.0.1:${this.etcdPort}`,
      '--bind-address=127.0.0.1',
      '--advertise-address=127.0.0.1',
      `--secure-port=${this.apiPort}`,
      `--cert-dir=${join(this.dir, 'apiserver-certs')}`,
      `--tls-cert-file=${c().serverCert}`,
      `--tls-private-key-file=${c().serverKey}`,
      `--client-ca-file=${c().caCert}`,
      `--token-auth-file=${join(this.dir, 'tokens.csv')}`,
      '--authorization-mode=RBAC',
      `--service-account-key-file=${c().saPub}`,
      `--service-account-signing-key-file=${c().saKey}`,
      '--service-account-issuer=https://kubernetes.default.svc',
      '--service-cluster-ip-range=10.96.0.0/16',
      // One apiserver on loopback: there is no endpoint to reconcile for the kubernetes Service.
      '--endpoint-reconciler-type=none',
      '--enable-priority-and-fairness=false',
      '--v=1',
    ];
  }

  private async startApiserver(): Promise<void> {
    this.apiserver.start();
    await waitReady(this.apiserver, async () => (await this.request('GET', '/readyz')).status === 200, 120_000);
  }

  /**
   * Stops kube-apiserver, keeps it down for `downMs`, and starts it again on the same port and
   * etcd (its watch cache starts afresh: old resourceVersions get 410 Expired).
   */
  async restartApiserver(downMs: number): Promise<void> {
    await this.apiserver.stop();
    await new Promise((r) => setTimeout(r, downMs));
    await this.startApiserver();
  }

  /** A request to the API server as the admin user. */
  request(method: string, path: string, body?: unknown): Promise<{ status: number; body: string }> {
    return new Promise((resolve, reject) => {
      const req = https.request(
        `${this.server}${path}`,
        {
          method,
          ca: this.certs.caPem,
          headers: { authorization: `Bearer ${this.adminToken}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
        },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (d: string) => (text += d));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
        },
      );
      req.on('error', reject);
      req.end(body !== undefined ? JSON.stringify(body) : undefined);
    });
  }

  /** Writes a kubeconfig for a bearer token (TLS verified against the test CA). */
  async writeKubeconfig(path: string, token: string): Promise<string> {
    const ca = Buffer.from(this.certs.caPem).toString('base64');
    await writeFile(
      path,
      `apiVersion: v1
kind: Config
clusters:
  - name: test
    cluster:
      server: ${this.server}
      certificate-authority-data: ${ca}
users:
  - name: test
    user:
      token: ${token}
contexts:
  - name: test
    context: {cluster: test, user: test}
current-context: test
`,
      { mode: 0o600 },
    );
    return path;
  }

  /** kubectl as the admin user. */
  async kubectl(args: string[], input?: string): Promise<string> {
    return new Promise((resolve, reject) => {
      const child = execFile(
        'kubectl',
        ['--kubeconfig', this.adminKubeconfig, ...args],
        { env: { ...process.env, KUBE_FEATURE_WatchListClient: 'false' }, maxBuffer: 64 * 1024 * 1024 },
        (err, stdout, stderr) => (err ? reject(new Error(`kubectl ${args.join(' ')}: ${stderr || err.message}`)) : resolve(stdout)),
      );
      child.stdin?.end(input ?? '');
    });
  }

  /** Server-side apply of manifests (YAML, or objects sent as one JSON `List`: kubectl reads no `---` between JSON documents). */
  async apply(manifests: string | object[]): Promise<void> {
    const text = typeof manifests === 'string' ? manifests : JSON.stringify({ apiVersion: 'v1', kind: 'List', items: manifests });
    await this.kubectl(['apply', '--server-side', '--force-conflicts', '--field-manager=test', '-f', '-'], text);
  }

  /**
   * Installs CRDs from files and waits until each is Established. (`kubectl wait
   * --for=condition=Established` fails outright on a CRD so new it has no conditions yet.)
   */
  async installCRDs(files: string[], timeoutMs = 60_000): Promise<void> {
    const applied = await this.kubectl(['apply', '--server-side', '--field-manager=test', '-o', 'name', ...files.flatMap((f) => ['-f', f])]);
    const names = applied.split('\n').map((l) => l.trim()).filter(Boolean);
    const deadline = Date.now() + timeoutMs;
    for (const name of names) {
      for (;;) {
        // JSON, not a jsonpath filter: kubectl's filter fails on a CRD whose conditions are still null.
        const crd = JSON.parse(await this.kubectl(['get', name, '-o', 'json'])) as { status?: { conditions?: { type: string; status: string }[] | null } };
        if ((crd.status?.conditions ?? []).some((c) => c.type === 'Established' && c.status === 'True')) break;
        if (Date.now() > deadline) throw new Error(`${name} was not Established after ${timeoutMs} ms`);
        await new Promise((r) => setTimeout(r, 200));
      }
    }
  }

  /** A token of a real ServiceAccount (TokenRequest, signed with the cluster's key). */
  async serviceAccountToken(namespace: string, name: string): Promise<string> {
    return (await this.kubectl(['create', 'token', name, '-n', namespace, '--duration=6h'])).trim();
  }

  private async startWorkloads(): Promise<void> {
    const kc = this.adminKubeconfig;
    this.process('kube-controller-manager', this.tools.kubeControllerManager, [
      `--kubeconfig=${kc}`,
      `--authentication-kubeconfig=${kc}`,
      `--authorization-kubeconfig=${kc}`,
      '--bind-address=127.0.0.1',
      `--secure-port=${await freePort()}`,
      `--cert-dir=${join(this.dir, 'kcm-certs')}`,
      '--leader-elect=false',
      `--service-account-private-key-file=${this.certs.saKey}`,
      `--root-ca-file=${this.certs.caCert}`,
      '--use-service-account-credentials=false',
      '--concurrent-deployment-syncs=2',
      '--v=1',
    ]).start();
    this.process('kube-scheduler', this.tools.kubeScheduler, [
      `--kubeconfig=${kc}`,
      `--authentication-kubeconfig=${kc}`,
      `--authorization-kubeconfig=${kc}`,
      '--bind-address=127.0.0.1',
      `--secure-port=${await freePort()}`,
      `--cert-dir=${join(this.dir, 'scheduler-certs')}`,
      '--leader-elect=false',
      '--v=1',
    ]).start();
    this.process('kwok', this.tools.kwok, [
      `--kubeconfig=${kc}`,
      `--config=${this.tools.kwokStages}`,
      '--manage-all-nodes=false',
      '--manage-nodes-with-annotation-selector=kwok.x-k8s.io/node=fake',
      '--disregard-status-with-annotation-selector=kwok.x-k8s.io/status=custom',
      '--cidr=10.244.0.1/24',
      '--node-ip=10.244.0.1',
      `--server-address=127.0.0.1:${await freePort()}`,
      // KWOK renews the node's lease; without it the node goes NotReady after 40 s.
      '--node-lease-duration-seconds=40',
    ]).start();
    await this.apply([
      {
        apiVersion: 'v1',
        kind: 'Node',
        metadata: {
          name: 'kwok-node-0',
          annotations: { 'node.alpha.kubernetes.io/ttl': '0', 'kwok.x-k8s.io/node': 'fake' },
          labels: { type: 'kwok', 'kubernetes.io/hostname': 'kwok-node-0', 'kubernetes.io/os': 'linux', 'kubernetes.io/arch': 'amd64' },
        },
      },
    ]);
    const kwok = this.procs.find((p) => p.name === 'kwok')!;
    await waitReady(
      kwok,
      async () => (await this.kubectl(['get', 'node', 'kwok-node-0', '-o', 'jsonpath={.status.conditions[?(@.type=="Ready")].status}'])).trim() === 'True',
      120_000,
    );
    // The default ServiceAccount pods need is made by the controller-manager.
    await waitReady(this.procs.find((p) => p.name === 'kube-controller-manager')!, async () => {
      await this.kubectl(['get', 'serviceaccount', 'default', '-n', 'default']);
      return true;
    });
  }

  /** Stops every process, last started first. */
  async stop(): Promise<void> {
    for (const p of [...this.procs].reverse()) await p.stop();
  }
}
