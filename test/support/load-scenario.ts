/**
 * The load scenario of the load test and the throughput benchmark: `projects` projects of
 * `stages` stages each, every stage taking freight straight from its warehouse and bumping its
 * own file in its project's GitOps repository; `rounds` freight per project, all promoted to
 * every stage at once (each stage queues them, one promotion at a time), while a reader keeps
 * asking the api for stages.
 */
import { join } from 'node:path';
import type { Disposer } from './git-repos.js';
import { freightManifest, gitopsRepo, projectManifests, promotionSteps } from './gitops-fixture.js';
import { eventually } from './poll.js';
import type { PromotionItem, ShuntApi } from './shunt-api.js';

export interface LoadShape {
  projects: number;
  stages: number;
  rounds: number;
}

export const FULL_LOAD: LoadShape = { projects: 10, stages: 5, rounds: 4 };

export interface LoadPipeline {
  shape: LoadShape;
  /** project → its GitOps repository's directory. */
  repos: Record<string, string>;
  /** project → freight names, in promotion order. */
  freight: Record<string, string[]>;
  /** project → stage names. */
  stages: Record<string, string[]>;
  tags: string[];
}

export interface LoadRun {
  /** Every promotion as the api reports it at the end. */
  promotions: { project: string; item: PromotionItem }[];
  /** From the first promotion request until the last promotion finished. */
  elapsedMs: number;
  /** Per-promotion time from request to finish (ms), as the api's timestamps tell. */
  reads: { ok: number; failed: { status: number; body: string }[] };
}

/** Stages whose promotions are being requested at the same time. */
const REQUEST_CHAINS = 10;

export const loadProject = (i: number): string => `load-${String(i).padStart(2, '0')}`;

/** Makes the repositories and applies the projects and their freight. */
export async function prepareLoad(api: ShuntApi, disposer: Disposer, root: string, shape: LoadShape): Promise<LoadPipeline> {
  const tags = Array.from({ length: shape.rounds }, (_, i) => `1.0.${i + 1}`);
  const pipeline: LoadPipeline = { shape, repos: {}, freight: {}, stages: {}, tags };
  for (let p = 0; p < shape.projects; p++) {
    const project = loadProject(p);
    const stages = Array.from({ length: shape.stages }, (_, s) => `s${s + 1}`);
    const repo = await gitopsRepo(disposer, join(root, 'repos'), project, stages);
    pipeline.repos[project] = repo.dir;
    pipeline.stages[project] = stages;
    // Five stages push to one branch at once: rejected pushes are rebased and pushed again.
    await api.apply(`${project}.yaml`, projectManifests(project, stages.map((s) => ({ name: s, steps: promotionSteps(repo.url, s) }))));
    for (const tag of tags) await api.apply(`${project}-${tag}.yaml`, freightManifest(project, tag));
    const all = await api.freight(project);
    pipeline.freight[project] = tags.map((tag) => all.find((f) => f.images[0]?.tag === tag)!.metadata.name);
  }
  return pipeline;
}

/**
 * Requests every promotion at once (per stage in freight order, stages in parallel), reads
 * stages from the api all along, and waits until every promotion has finished.
 */
export async function runLoad(api: ShuntApi, pipeline: LoadPipeline, timeoutMs: number): Promise<LoadRun> {
  const projects = Object.keys(pipeline.repos);
  const reads: LoadRun['reads'] = { ok: 0, failed: [] };
  let done = false;
  const reader = (async () => {
    for (let i = 0; !done; i++) {
      const project = projects[i % projects.length]!;
      try {
        const res = await api.request('GET', `/api/v1/projects/${project}/stages`);
        if (res.status === 200) reads.ok++;
        else reads.failed.push({ status: res.status, body: JSON.stringify(res.body) });
      } catch (err) {
        reads.failed.push({ status: 0, body: String(err) });
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  })();

  const started = Date.now();
  const names: { project: string; name: string }[] = [];
  // Each stage's promotions are requested in freight order. At most REQUEST_CHAINS stages are
  // being requested at once: with 50 simultaneous requests on the loaded 2-core machine the
  // api's queries before each promote timed out (503) while the worker was busy; the requests
  // take seconds, the promotions minutes, so all of them are still in flight together.
  const chains = projects.flatMap((project) => pipeline.stages[project]!.map((stage) => ({ project, stage })));
  try {
    await Promise.all(
      Array.from({ length: REQUEST_CHAINS }, async () => {
        for (let chain = chains.shift(); chain; chain = chains.shift()) {
          for (const freight of pipeline.freight[chain.project]!) {
            names.push({ project: chain.project, name: await api.promote(chain.project, chain.stage, freight) });
          }
        }
      }),
    );
    const promotions = await eventually(
      async () => {
        const all: LoadRun['promotions'] = [];
        for (const project of projects) {
          for (const item of await api.promotions(project)) all.push({ project, item });
        }
        const finished = all.filter((p) => !['Running', 'Pending'].includes(p.item.status.phase));
        return finished.length === names.length ? all : undefined;
      },
      () => `${names.length} promotions to finish`,
      timeoutMs,
    );
    return { promotions, elapsedMs: Date.now() - started, reads };
  } finally {
    done = true;
    await reader;
  }
}
