/**
 * Shunt in its production shape: a Temporal server on PostgreSQL (built from the Go module proxy
 * by scripts/build-temporal-server.sh, set up as docker-compose.yml sets it up), two workers and
 * two apis as separate processes, no launcher. GitOps repositories are served over HTTP on
 * loopback, behind a proxy that can hold a push.
 *
 * What must hold: promotions asked through either api run once; an approval given through the
 * other api releases a waiting promotion; freight soaks and auto-promotes; a worker killed
 * (SIGKILL) mid-promotion and never started again leaves its promotion to the other worker, which
 * completes it with one commit; a killed api leaves the other serving, and a request the client
 * retries there lands once; the Temporal server killed and started again loses and duplicates
 * nothing. Every check reads the GitOps repositories and the apis' views.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Connection } from '@temporalio/client';
import { SEARCH_ATTRIBUTES } from '../../workflows/definitions.js';
import { GatedProxy } from '../support/gated-proxy.js';
import { GitHttpServer } from '../support/git-server.js';
import { Disposer, git } from '../support/git-repos.js';
import { deployedTag, freightManifest, gitopsRepo, projectManifests, promotionCommits, promotionSteps, repoPath } from '../support/gitops-fixture.js';
import { aProjectConfig } from '../support/manifests.js';
import { processTree } from '../support/launched-shunt.js';
import { eventually } from '../support/poll.js';
import { ShuntApi, type PromotionItem } from '../support/shunt-api.js';
import { startTemporalCluster, type TemporalCluster } from '../support/temporal-cluster/cluster.js';
import { ApiProcess, WorkerProcess } from '../support/temporal-cluster/shunt-processes.js';

const PROJECT = 'prod-shape';
const NAMESPACE = 'default';
const SOAK_S = 10;
const STAGES = ['one', 'two', 'gated', 'soaked', 'failover'] as const;
/**
 * A worker killed mid-step is noticed after the step's heartbeat timeout (SHUNT_STEP_HEARTBEAT_TIMEOUT,
 * 1 min by default), and the promotion starts its steps again on the other worker at once: about
 * 1 min (before heartbeat failover it also waited out its queue's 5 min schedule-to-start timeout).
 */
const FAILOVER_TIMEOUT_MS = 6 * 60_000;

const disposer = new Disposer();
let work: string;
let repos: string;
let gitServer: GitHttpServer;
let gitProxy: GatedProxy;
let cluster: TemporalCluster;
const workers: WorkerProcess[] = [];
const apis: ApiProcess[] = [];
const viaApi = (i: number): ShuntApi => new ShuntApi(() => apis[i]!.url);

function manifests(url: (repo: string) => string): string {
  const autoPromoteSoaked = aProjectConfig({ promotionPolicies: [{ stage: 'soaked', autoPromotionEnabled: true }] }, PROJECT);
  return projectManifests(
    PROJECT,
    [
      { name: 'one', steps: promotionSteps(url('cluster-one'), 'one') },
      { name: 'two', steps: promotionSteps(url('cluster-two'), 'two') },
      // Every promotion into `gated` waits for a person.
      { name: 'gated', steps: promotionSteps(url('cluster-gated'), 'gated'), annotations: { 'shunt.dev/require-approval': 'true' } },
      {
        name: 'soaked',
        steps: promotionSteps(url('cluster-soaked'), 'soaked'),
        sources: { stages: ['one'], requiredSoakTime: `${SOAK_S}s` },
      },
      { name: 'failover', steps: promotionSteps(url('cluster-failover'), 'failover') },
    ],
    [autoPromoteSoaked],
  );
}

async function commitsOf(stage: string): Promise<string[]> {
  return (await promotionCommits(repoPath(repos, `cluster-${stage}`))).map((c) => c.promotion);
}

async function freightNamed(api: ShuntApi, tag: string): Promise<string> {
  return eventually(
    async () => (await api.freight(PROJECT)).find((f) => f.images[0]?.tag === tag)?.metadata.name,
    `freight ${tag} to be listed`,
  );
}

/** Waits until the promotion has finished, asking whichever api is named; returns it. */
async function finished(api: ShuntApi, name: string, timeoutMs = 180_000): Promise<PromotionItem> {
  return eventually(
    async () => {
      const p = await api.promotion(PROJECT, name);
      return ['Running', 'Pending'].includes(p.status.phase) ? undefined : p;
    },
    () => `promotion ${name} to finish\n${workers.map((w) => `--- ${w.name}:\n${w.recentOutput(15)}`).join('\n')}`,
    timeoutMs,
  );
}

/**
 * What both apis say about the project: the same lists, whichever one answers. Each may answer
 * from a read up to SHUNT_READ_SNAPSHOT_MS (250 ms) old, so they agree within moments of a change.
 */
async function viewsAgree(): Promise<{ promotions: string[]; freight: string[] }> {
  let seen: unknown;
  return eventually(
    async () => {
      const [va, vb] = await Promise.all([viewOf(viaApi(0)), viewOf(viaApi(1))]);
      seen = [va, vb];
      return JSON.stringify(va) === JSON.stringify(vb) ? va : undefined;
    },
    () => `both apis to show the same: ${JSON.stringify(seen)}`,
    5_000,
  );
}

async function viewOf(api: ShuntApi): Promise<{ promotions: string[]; freight: string[] }> {
  return {
    promotions: (await api.promotions(PROJECT)).map((p) => `${p.metadata.name} ${p.status.phase}`).sort(),
    freight: (await api.freight(PROJECT)).map((f) => f.metadata.name).sort(),
  };
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'shunt-cluster-'));
  disposer.add(() => rm(work, { recursive: true, force: true }));
  repos = join(work, 'repos');
  for (const s of STAGES) await gitopsRepo(disposer, repos, `cluster-${s}`, [s]);
  gitServer = new GitHttpServer({ root: repos });
  await gitServer.start();
  disposer.add(() => gitServer.stop());
  gitProxy = new GatedProxy(gitServer.baseURL);
  await gitProxy.start();
  disposer.add(() => gitProxy.stop());

  cluster = await startTemporalCluster(join(work, 'temporal'), [NAMESPACE]);
  disposer.add(() => cluster.stop());
  for (const name of ['worker-a', 'worker-b']) {
    const w = new WorkerProcess(name, { temporalAddress: cluster.address, namespace: NAMESPACE, dataDir: join(work, name) });
    workers.push(w);
    disposer.add(() => w.stop());
  }
  for (const name of ['api-a', 'api-b']) {
    const a = new ApiProcess(name, { temporalAddress: cluster.address, namespace: NAMESPACE, dataDir: join(work, name) });
    apis.push(a);
    disposer.add(() => a.stop());
  }
  await Promise.all(workers.map((w) => w.start()));
  await Promise.all(apis.map((a) => a.start()));

  // The workers registered Shunt's search attributes as they started; the server's services
  // cache the list for up to 60 s, and refuse a workflow that carries one they do not know yet.
  await eventually(
    async () => {
      await viaApi(0).apply('project.yaml', manifests((r) => `${gitProxy.baseURL}/${r}.git`));
      return true;
    },
    'the project to apply once the server knows the search attributes the workers registered',
    150_000,
  );
}, 480_000);

afterAll(async () => {
  await disposer.dispose();
}, 120_000);

describe('Shunt on a Temporal cluster (PostgreSQL, two workers, two apis)', () => {
  it('has its search attributes registered by the workers on a server that started without them', async () => {
    const connection = await Connection.connect({ address: cluster.address });
    try {
      const listed = await connection.operatorService.listSearchAttributes({ namespace: NAMESPACE });
      const names = Object.values(SEARCH_ATTRIBUTES).map((k) => k.name);
      expect(names.filter((n) => !listed.customAttributes?.[n])).toEqual([]);
    } finally {
      await connection.close();
    }
  });

  it('runs promotions asked through either api once each, and both apis show the same', async () => {
    await viaApi(0).apply('freight-1.0.0.yaml', freightManifest(PROJECT, '1.0.0'));
    const freight = await freightNamed(viaApi(1), '1.0.0');
    const one = await viaApi(0).promote(PROJECT, 'one', freight);
    const two = await viaApi(1).promote(PROJECT, 'two', freight);

    expect((await finished(viaApi(1), one)).status.phase).toBe('Succeeded');
    expect((await finished(viaApi(0), two)).status.phase).toBe('Succeeded');
    expect(await commitsOf('one')).toEqual([one]);
    expect(await commitsOf('two')).toEqual([two]);
    expect(await deployedTag(repoPath(repos, 'cluster-one'), 'one')).toBe('1.0.0');
    expect(await deployedTag(repoPath(repos, 'cluster-two'), 'two')).toBe('1.0.0');
    for (const api of [viaApi(0), viaApi(1)]) {
      expect(await api.stageFreight(PROJECT, 'one')).toBe(freight);
      expect(await api.stageFreight(PROJECT, 'two')).toBe(freight);
    }
    await viewsAgree();
  });

  it('releases a promotion waiting for approval when the approval comes through the other api', async () => {
    const freight = await freightNamed(viaApi(0), '1.0.0');
    const gated = await viaApi(0).promote(PROJECT, 'gated', freight);
    await eventually(
      async () => ((await viaApi(1).promotion(PROJECT, gated)) as PromotionItem & { status: { waitingForApproval?: unknown } }).status.waitingForApproval,
      `promotion ${gated} to wait for approval`,
    );
    expect(await commitsOf('gated')).toEqual([]);

    const approved = await viaApi(1).request('POST', `/api/v1/projects/${PROJECT}/promotions/${gated}/approve`, {});
    expect(approved.status).toBe(200);
    expect((await finished(viaApi(0), gated)).status.phase).toBe('Succeeded');
    expect(await commitsOf('gated')).toEqual([gated]);
  });

  it('auto-promotes freight into the next stage once it has soaked there, once', async () => {
    const freight = await freightNamed(viaApi(0), '1.0.0');
    // Freight 1.0.0 entered `one` in the first test; after its soak `soaked` takes it by itself.
    const auto = await eventually(
      async () => (await viaApi(1).promotions(PROJECT)).find((p) => p.spec?.stage === 'soaked' || p.metadata.name.startsWith('soaked.')),
      'the auto-promotion into `soaked`',
      120_000,
    );
    expect((await finished(viaApi(0), auto.metadata.name)).status.phase).toBe('Succeeded');
    expect(await commitsOf('soaked')).toEqual([auto.metadata.name]);
    expect(await viaApi(1).stageFreight(PROJECT, 'soaked')).toBe(freight);
    // Nothing promotes it a second time.
    expect((await viaApi(0).promotions(PROJECT)).filter((p) => p.metadata.name.startsWith('soaked.'))).toHaveLength(1);
  });

  it('completes a promotion on the other worker, with one commit, when its worker is killed mid-step and never comes back', async () => {
    await viaApi(0).apply('freight-2.0.0.yaml', freightManifest(PROJECT, '2.0.0'));
    const freight = await freightNamed(viaApi(0), '2.0.0');
    // The push lands on the remote; its answer is held, so the worker never learns it did.
    const pushed = gitProxy.hold((m, url) => m === 'POST' && url === '/cluster-failover.git/git-receive-pack', 'response');
    const name = await viaApi(1).promote(PROJECT, 'failover', freight);
    await pushed.arrived;
    expect(await commitsOf('failover')).toEqual([name]);

    // The worker whose git push waits on the proxy is the one running the promotion.
    const busy = workers.find((w) => processTree(w.pid).length > 1);
    if (!busy) throw new Error('no worker runs a git command while the push is held');
    const started = Date.now();
    await busy.kill();
    pushed.release();

    const done = await finished(viaApi(0), name, FAILOVER_TIMEOUT_MS);
    process.stdout.write(`cluster suite: the promotion finished on the other worker ${Math.round((Date.now() - started) / 1000)} s after its worker was killed\n`);
    expect(done.status.phase).toBe('Succeeded');
    expect(await commitsOf('failover')).toEqual([name]);
    expect((await git(repoPath(repos, 'cluster-failover'), ['rev-list', '--count', 'main'])).trim()).toBe('2');
    expect(await deployedTag(repoPath(repos, 'cluster-failover'), 'failover')).toBe('2.0.0');
    expect(await viaApi(1).stageFreight(PROJECT, 'failover')).toBe(freight);
  }, FAILOVER_TIMEOUT_MS + 60_000);

  it('keeps serving through the other api when one is killed, and a request retried there lands once', async () => {
    const [first, second] = [viaApi(0), viaApi(1)];
    const before = await viewOf(second);
    const commitsBefore = await commitsOf('two');
    await apis[0]!.kill();
    // The client's request to the killed api fails; it sends it again to the other one.
    const tag = '3.0.0';
    const body = { files: [{ name: `freight-${tag}.yaml`, content: freightManifest(PROJECT, tag) }] };
    const sent = await first.request('POST', '/api/v1/apply', body).then(
      (res) => `answered ${res.status}`,
      (err: unknown) => String(err),
    );
    expect(sent).toMatch(/fetch failed/);
    expect((await second.request('POST', '/api/v1/apply', body)).status).toBe(200);
    const freight = await freightNamed(second, tag);
    const name = await second.promote(PROJECT, 'two', freight);
    expect((await finished(second, name)).status.phase).toBe('Succeeded');
    expect(await commitsOf('two')).toEqual([...commitsBefore, name]);
    const after = await viewOf(second);
    expect(after.freight).toEqual([...before.freight, freight].sort());
    expect(after.promotions.filter((p) => !before.promotions.includes(p))).toEqual([`${name} Succeeded`]);
    await apis[0]!.start();
  });

  it('loses and duplicates nothing when the Temporal server is killed and started again mid-promotion', async () => {
    const before = await viewsAgree();
    const commitsBefore = Object.fromEntries(await Promise.all(STAGES.map(async (s) => [s, await commitsOf(s)] as const)));
    await viaApi(0).apply('freight-4.0.0.yaml', freightManifest(PROJECT, '4.0.0'));
    const freight = await freightNamed(viaApi(0), '4.0.0');
    // Held before its push: the promotion is mid-step when the server goes away.
    const push = gitProxy.hold((m, url) => m === 'GET' && url === '/cluster-one.git/info/refs?service=git-receive-pack', 'request');
    const name = await viaApi(1).promote(PROJECT, 'one', freight);
    await push.arrived;

    await cluster.server.stop('SIGKILL');
    push.release();
    await cluster.server.start();

    const done = await finished(viaApi(0), name, 300_000);
    expect(done.status.phase).toBe('Succeeded');
    expect(await commitsOf('one')).toEqual([...commitsBefore['one']!, name]);
    for (const s of STAGES.filter((s) => s !== 'one' && s !== 'soaked')) expect(await commitsOf(s)).toEqual(commitsBefore[s]);
    const after = await viewsAgree();
    expect(after.freight).toEqual([...before.freight, freight].sort());
    // Every earlier promotion is still there, as it was; the new one succeeded; an
    // auto-promotion into `soaked` of the new freight may follow, and only that.
    const added = after.promotions.filter((p) => !before.promotions.includes(p));
    expect(added.filter((p) => !p.startsWith('soaked.'))).toEqual([`${name} Succeeded`]);
    expect(before.promotions.filter((p) => !after.promotions.includes(p))).toEqual([]);
  }, 420_000);
});
