/**
 * Fault: the Temporal server unreachable for a while. Shunt runs as `npm start` runs it against
 * an external server (TEMPORAL_ADDRESS), reached through a proxy the test takes down: the api
 * answers 503 with a message that says Temporal is unreachable, and once the server is back it
 * answers again, and promotions run, without any process being restarted.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Disposer } from '../support/git-repos.js';
import { freightManifest, gitopsRepo, projectManifests, promotionCommits, promotionSteps } from '../support/gitops-fixture.js';
import { LaunchedShunt, processesUsing } from '../support/launched-shunt.js';
import { eventually } from '../support/poll.js';
import { ShuntApi } from '../support/shunt-api.js';
import { TcpProxy } from '../support/tcp-proxy.js';
import { temporalAddress } from '../support/temporal.js';

const PROJECT = 'outage';
const disposer = new Disposer();
let shunt: LaunchedShunt;
let temporal: TcpProxy;
let repoDir: string;
const api = new ShuntApi(() => shunt.api);

interface ErrorBody {
  error: { code: string; message: string };
}

beforeAll(async () => {
  const work = await mkdtemp(join(tmpdir(), 'shunt-outage-'));
  disposer.add(() => rm(work, { recursive: true, force: true }));
  const repo = await gitopsRepo(disposer, join(work, 'repos'), 'outage', ['dev']);
  repoDir = repo.dir;
  temporal = TcpProxy.to(temporalAddress());
  await temporal.start();
  disposer.add(() => temporal.stop());
  shunt = new LaunchedShunt({
    dataDir: join(work, 'data'),
    env: { TEMPORAL_ADDRESS: temporal.address, TEMPORAL_NAMESPACE: 'fault' },
  });
  disposer.add(() => shunt.stop());
  await shunt.start();
  await api.apply('outage.yaml', projectManifests(PROJECT, [{ name: 'dev', steps: promotionSteps(repo.url, 'dev') }]));
  await api.apply('freight.yaml', freightManifest(PROJECT, '2.0.0'));
}, 180_000);

afterAll(async () => {
  await disposer.dispose();
}, 60_000);

describe('the Temporal server unreachable for a while', () => {
  it('makes the api answer 503 saying so, and recovers without a restart', async () => {
    const pids = processesUsing(shunt.dataDir).map((p) => p.pid).sort();
    expect((await api.request('GET', `/api/v1/projects/${PROJECT}/stages`)).status).toBe(200);

    temporal.down();
    const outage = await eventually(async () => {
      const res = await api.request<ErrorBody>('GET', `/api/v1/projects/${PROJECT}/stages`);
      return res.status === 503 ? res : undefined;
    }, 'the api to answer 503 while Temporal is unreachable');
    expect(outage.body.error.code).toBe('Unavailable');
    expect(outage.body.error.message).toMatch(/^Temporal did not answer: .+ \(\d+ UNAVAILABLE: .+\)$/);
    const promote = await api.request<ErrorBody>('POST', `/api/v1/projects/${PROJECT}/promotions`, { stage: 'dev', freight: 'x' });
    expect(promote.status).toBe(503);
    expect(promote.body.error.code).toBe('Unavailable');
    const health = await api.request<{ status: string; reason: string }>('GET', '/healthz');
    expect(health.status).toBe(503);
    expect(health.body.status).toBe('unavailable');

    temporal.up();
    await eventually(
      async () => ((await api.request('GET', `/api/v1/projects/${PROJECT}/stages`)).status === 200 ? true : undefined),
      'the api to answer 200 once Temporal is back',
    );
    await shunt.healthy();

    // A promotion runs through the same processes.
    const freight = (await api.freight(PROJECT))[0]!.metadata.name;
    const name = await api.promote(PROJECT, 'dev', freight);
    const done = await eventually(async () => {
      const p = (await api.promotions(PROJECT)).find((x) => x.metadata.name === name);
      return p && p.status.phase !== 'Running' && p.status.phase !== 'Pending' ? p : undefined;
    }, `promotion ${name} to finish`, 180_000);
    expect([done.status.phase, done.status.message]).toEqual(['Succeeded', undefined]);
    expect((await promotionCommits(repoDir)).map((c) => c.promotion)).toEqual([name]);
    expect(processesUsing(shunt.dataDir).map((p) => p.pid).sort()).toEqual(pids);
  }, 400_000);
});
