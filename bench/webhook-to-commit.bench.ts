/**
 * Webhook → commit on dev (issue 8): Shunt started as `npm start` starts it (embedded Temporal,
 * worker, api as processes), a warehouse subscribed to an image repository on a real registry
 * (Debian's docker-registry), a Docker Hub webhook receiver, and a stage `dev` that auto-promotes
 * new freight (clone, set image, commit, push to a GitOps repository over git smart HTTP).
 *
 * Each sample: a new tag is pushed to the registry (not timed), then the clock starts at the
 * webhook call and stops when the GitOps repository's post-receive hook records the push of the
 * promotion's commit (the hook writes a nanosecond timestamp; same clock). Target < 1 s at the
 * median. The Temporal histories of each run break the time down: webhook → scan workflow
 * started → the project learns of the freight → the auto-promotion starts → its steps → pushed.
 */
import type { Client } from '@temporalio/client';
import { chmod, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { projectWorkflowId } from '../workflows/definitions.js';
import { warehouseRescanWorkflowId } from '../workflows/warehouse-definitions.js';
import { GitHttpServer } from '../test/support/git-server.js';
import { Disposer } from '../test/support/git-repos.js';
import { APP_IMAGE, deployedTag, gitopsRepo, promotionSteps, repoPath } from '../test/support/gitops-fixture.js';
import { pushImage } from '../test/support/oci-images.js';
import { startRegistry } from '../test/support/oci-registry.js';
import { aCredentialSecret, aProject, aProjectConfig, aStage, aWarehouse, WAREHOUSE, yamlOf } from '../test/support/manifests.js';
import { median, percentile } from './stats.js';
import { launchShunt, temporalClientOf } from './support/launch.js';
import { attrs, eventMs, historyEvents, promotionTimeline } from './support/promotion-timeline.js';
import type { BenchFigure, BenchModule } from './types.js';

const PROJECT = 'hooked';
const IMAGE_PATH = 'bench/hooked';

/** The post-receive hook: one line per updated ref, `<epoch ns> <new sha> <ref>`. */
function postReceiveHook(logFile: string): string {
  return `#!/bin/sh
while read old new ref; do echo "$(date +%s%N) $new $ref" >> '${logFile}'; done
`;
}

function manifests(host: string, repoURL: string): string {
  const image = `${host}/${IMAGE_PATH}`;
  // The fixture's steps read the fixture's image: this bench's image is its own.
  const steps = promotionSteps(repoURL, 'dev').map((step) =>
    step.uses === 'kustomize-set-image' ? { ...step, config: { ...step.config, images: [{ image: APP_IMAGE, tag: `\${{ imageFrom('${image}').Tag }}` }] } } : step,
  );
  return yamlOf(
    aProject(PROJECT),
    aProjectConfig({ webhookReceivers: [{ name: 'hub', dockerhub: { secretRef: { name: 'hub' } } }], promotionPolicies: [{ stage: 'dev', autoPromotionEnabled: true }] }, PROJECT),
    aWarehouse(WAREHOUSE, { project: PROJECT, subscriptions: [{ image: { repoURL: image, imageSelectionStrategy: 'SemVer' } }], spec: { interval: '1h' } }),
    aStage('dev', { project: PROJECT, steps }),
  );
}

interface Push {
  atMs: number;
  sha: string;
}

async function pushes(logFile: string): Promise<Push[]> {
  const text = await readFile(logFile, 'utf8').catch(() => '');
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => {
      const [ns, sha] = l.split(' ');
      return { atMs: Number(BigInt(ns!) / 1000n) / 1000, sha: sha! };
    });
}

async function waitForPush(logFile: string, count: number, timeoutMs = 60_000): Promise<Push> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const all = await pushes(logFile);
    if (all.length >= count) return all[count - 1]!;
    if (Date.now() > deadline) throw new Error(`no push number ${count} to the GitOps repository within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

// ---- where the time goes: Temporal history events of one run ---------------------------------

/** Milestones of one run (ms since the webhook call). */
interface Breakdown {
  scanStarted: number;
  projectSignaled: number;
  promotionStarted: number;
  steps: { name: string; scheduled: number; started: number; completed: number }[];
  pushed: number;
}

async function breakdown(client: Client, t0: number, promotionWorkflowId: string, pushedAt: number): Promise<Breakdown> {
  const rel = (ms: number): number => Math.round(ms - t0);
  const scan = (await historyEvents(client, warehouseRescanWorkflowId(PROJECT, 'app'))).filter((e) => eventMs(e) >= t0 - 5);
  const scanStart = scan.find((e) => attrs(e, 'workflowExecutionStartedEventAttributes') || attrs(e, 'workflowExecutionSignaledEventAttributes'));
  const project = (await historyEvents(client, projectWorkflowId(PROJECT))).filter((e) => eventMs(e) >= t0 - 5);
  const signaled = project.find(
    (e) => attrs<{ signalName?: string }>(e, 'workflowExecutionSignaledEventAttributes')?.signalName === 'warehouseScanned',
  );
  const promotion = await promotionTimeline(client, promotionWorkflowId);
  return {
    scanStarted: scanStart ? rel(eventMs(scanStart)) : Number.NaN,
    projectSignaled: signaled ? rel(eventMs(signaled)) : Number.NaN,
    promotionStarted: rel(promotion.started),
    steps: promotion.activities.map((a) => ({ name: a.name, scheduled: rel(a.scheduled), started: rel(a.started), completed: rel(a.completed) })),
    pushed: rel(pushedAt),
  };
}

function describe(b: Breakdown): string {
  const lines = [
    `  ${b.scanStarted} ms: scan workflow started (api, signal-with-start)`,
    `  ${b.projectSignaled} ms: project workflow signaled with the scan's result`,
    `  ${b.promotionStarted} ms: auto-promotion workflow started`,
    ...b.steps.map((s) => `  ${s.scheduled} → ${s.started} → ${s.completed} ms: ${s.name} (scheduled → started → completed)`),
    `  ${b.pushed} ms: push received by the GitOps repository (post-receive hook)`,
  ];
  return lines.join('\n');
}

const bench: BenchModule = async ({ workDir, quick, log }) => {
  const disposer = new Disposer();
  try {
    const registry = await startRegistry();
    disposer.add(() => registry.dispose());
    const repos = join(workDir, 'repos');
    await gitopsRepo(disposer, repos, 'gitops', ['dev']);
    const hookLog = join(workDir, 'pushes.log');
    const hook = join(repoPath(repos, 'gitops'), 'hooks', 'post-receive');
    await writeFile(hook, postReceiveHook(hookLog));
    await chmod(hook, 0o755);
    const gitServer = new GitHttpServer({ root: repos });
    await gitServer.start();
    disposer.add(() => gitServer.stop());

    const secrets = join(workDir, 'secrets.yaml');
    await writeFile(secrets, yamlOf(aCredentialSecret('hub', undefined, { secret: 'bench-secret' }, PROJECT)));
    const { shunt, api } = await launchShunt(disposer, workDir, { SHUNT_CREDENTIALS: secrets });
    const client = await temporalClientOf(disposer, shunt);

    await pushImage(registry.host, IMAGE_PATH, '1.0.0', { content: 'h0' });
    await api.apply('hooked.yaml', manifests(registry.host, gitServer.url('gitops')));
    // Warm-up, not counted: the first scan (on apply) and the first auto-promotion (first clone).
    await waitForPush(hookLog, 1, 120_000);
    const receivers = await api.request<{ items: { path: string }[] }>('GET', `/api/v1/projects/${PROJECT}/webhook-receivers`);
    const hookURL = `${shunt.api}${receivers.body.items[0]!.path}`;

    const runs = quick ? 3 : 10;
    const samples: number[] = [];
    const breakdowns: Breakdown[] = [];
    for (let i = 1; i <= runs; i++) {
      const tag = `1.${i}.0`;
      await pushImage(registry.host, IMAGE_PATH, tag, { content: `h${i}` });
      // Each run starts from rest: the previous promotion has finished.
      const before = (await pushes(hookLog)).length;
      const t0 = Date.now();
      const res = await fetch(hookURL, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ repository: { repo_name: `${registry.host}/${IMAGE_PATH}` }, push_data: { tag } }),
      });
      if (res.status !== 200) throw new Error(`webhook answered ${res.status}: ${await res.text()}`);
      const pushed = await waitForPush(hookLog, before + 1);
      const ms = pushed.atMs - t0;
      samples.push(ms);
      const deployed = await deployedTag(repoPath(repos, 'gitops'), 'dev');
      if (deployed !== tag) throw new Error(`run ${i}: the push set ${deployed}, not ${tag}`);
      const freight = (await api.freight(PROJECT)).find((f) => f.images[0]?.tag === tag)!.metadata.name;
      const promotion = (await api.promotions(PROJECT)).find((p) => p.spec?.stage === 'dev' && p.status.freight?.name === freight);
      if (!promotion) throw new Error(`run ${i}: no promotion of ${freight} into dev`);
      const done = await api.finished(PROJECT, promotion.metadata.name);
      if (done.status.phase !== 'Succeeded') throw new Error(`run ${i}: promotion ${done.metadata.name} ended ${done.status.phase}`);
      breakdowns.push(await breakdown(client, t0, done.status.workflowId!, pushed.atMs));
      log(`run ${i}/${runs}: ${Math.round(ms)} ms`);
    }

    const typical = breakdowns[samples.indexOf([...samples].sort((a, b) => Math.abs(a - median(samples)) - Math.abs(b - median(samples)))[0]!)]!;
    log(`where the time goes in a run near the median (ms since the webhook call):\n${describe(typical)}`);
    const phase = (f: (b: Breakdown) => number): number => Math.round(median(breakdowns.map(f)));
    // The activity that ran the push: runStep:git-push, or runSteps:…+git-push with the steps before it.
    const pushStep = (b: Breakdown): number => b.steps.find((s) => /[:+]git-push$/.test(s.name))?.completed ?? Number.NaN;
    const note =
      `medians: scan started ${phase((b) => b.scanStarted)} ms, project signaled +${phase((b) => b.projectSignaled - b.scanStarted)}, ` +
      `promotion started +${phase((b) => b.promotionStarted - b.projectSignaled)}, pushed +${phase((b) => b.pushed - b.promotionStarted)} ` +
      `(push step recorded +${phase((b) => pushStep(b) - b.pushed)})`;
    const figure: BenchFigure = {
      name: 'webhook-to-commit.dev',
      title: 'Webhook → Freight → auto-promoted commit pushed on dev',
      unit: 'ms',
      median: median(samples),
      p95: percentile(samples, 95),
      samples,
      target: { op: '<=', value: 400 },
      note,
    };
    const tail: BenchFigure = {
      name: 'webhook-to-commit.dev-p95',
      title: 'Webhook → auto-promoted commit on dev, 95th percentile',
      unit: 'ms',
      median: percentile(samples, 95),
      samples,
      target: { op: '<=', value: 600 },
    };
    return [figure, tail];
  } finally {
    await disposer.dispose();
  }
};

export default bench;
