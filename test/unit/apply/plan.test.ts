/** The apply planner (core/apply/plan.ts): pure, case by case, no Temporal. */
import { filesRefusal, planApply, projectsToRead, reportedLines, type ApplyPlan, type ExistingCluster } from '../../../core/apply/plan.js';
import type { DomainError } from '../../../core/errors.js';
import { parseManifestFiles } from '../../../core/manifests/files.js';
import type { ClusterPromotionTask, PromotionStepSpec } from '../../../core/model.js';
import { applyResources, emptyProjectState } from '../../../core/project/apply.js';
import type { ProjectState } from '../../../core/project/state.js';
import { aClusterPromotionTask, aFreight, aProject, aStage, aWarehouse, request, yamlOf } from '../../support/manifests.js';

const API = 'apiVersion: kargo.akuity.io/v1alpha1';
const NOW = '2026-01-01T00:00:00.000Z';
const options = { dryRun: false, now: NOW, random: () => 0.5 };

const IMAGE = 'ghcr.io/acme/app';
const cloneStep = (alias = 'clone'): PromotionStepSpec => ({ uses: 'git-clone', as: alias, config: { repoURL: 'https://example.com/g.git' } });
const project = (name: string): string => yamlOf(aProject(name));
const warehouse = (ns: string, name = 'app'): string => yamlOf(aWarehouse(name, { project: ns, image: IMAGE }));
const stage = (ns: string, name: string, origin = 'app', task?: string): string =>
  yamlOf(
    aStage(name, {
      project: ns,
      requests: [request(origin, { direct: true })],
      steps: [task ? { task: { name: task, kind: 'ClusterPromotionTask' } } : cloneStep()],
    }),
  );
const freight = (ns: string, tag: string): string => yamlOf(aFreight({ project: ns, tag, image: IMAGE, digest: `sha256:${'0'.repeat(64)}` }));
const clusterTask = (name: string, alias = 'clone'): string => yamlOf(aClusterPromotionTask(name, { steps: [cloneStep(alias)] }));
const clusterConfig = (receiver: string): string =>
  `${API}\nkind: ClusterConfig\nmetadata: {name: cluster}\nspec: {webhookReceivers: [{name: ${receiver}, generic: {secretRef: {name: s}}}]}`;

const files = (...contents: string[]) => parseManifestFiles(contents.map((content, i) => ({ name: `f${i}.yaml`, content })));
const noCluster = (): ExistingCluster => ({ projects: {}, clusterTasks: {} });

/** A cluster holding projects `a` and `b`, each with warehouse `app` and stage `dev`. */
function existing(): { cluster: ExistingCluster; states: Record<string, ProjectState> } {
  const states: Record<string, ProjectState> = {};
  for (const name of ['a', 'b']) {
    const state = emptyProjectState(name, NOW);
    const parsed = files(project(name), warehouse(name), stage(name, 'dev'));
    const plan = planApply(parsed, noCluster(), {}, options);
    if (!plan.ok) throw plan.error;
    applyResources(state, plan.projects[0]!.input, NOW, () => 0.5);
    states[name] = state;
  }
  return { cluster: { projects: { a: { createdAt: NOW }, b: { createdAt: NOW } }, clusterTasks: {} }, states };
}

function ok(plan: ApplyPlan): Extract<ApplyPlan, { ok: true }> {
  if (!plan.ok) throw new Error(`expected a plan, got ${plan.error.code}: ${plan.error.message}`);
  return plan;
}

function refusal(plan: ApplyPlan): DomainError {
  if (plan.ok) throw new Error('expected a refusal, got a plan');
  return plan.error;
}

describe('planApply: grouping by project', () => {
  it('sends each project its own resources, and registers the projects the apply creates', () => {
    const plan = ok(planApply(files(project('x'), warehouse('x'), stage('x', 'dev'), project('y'), warehouse('y')), noCluster(), {}, options));
    expect(plan.projects.map((p) => [p.project, p.input.resources.map((r) => `${r.kind} ${r.metadata.name}`), p.input.projectManifest?.metadata.name, p.fanOut])).toEqual([
      ['x', ['Warehouse app', 'Stage dev'], 'x', false],
      ['y', ['Warehouse app'], 'y', false],
    ]);
    expect(plan.cluster).toEqual({ projects: ['x', 'y'], clusterTasks: [] });
    expect(plan.results).toEqual([]); // a real apply's lines come from the project workflows
  });

  it('reads only the existing projects the apply touches', () => {
    const { cluster } = existing();
    expect(projectsToRead(files(warehouse('a', 'other'), project('new')), cluster)).toEqual(['a']);
    expect(projectsToRead(files('kind: [unclosed'), cluster)).toEqual([]);
  });

  it('passes the actor on to every project', () => {
    const plan = ok(planApply(files(project('x'), warehouse('x')), noCluster(), {}, { ...options, actor: 'ann' }));
    expect(plan.projects[0]!.input.actor).toBe('ann');
  });
});

describe('planApply: List items', () => {
  it('sends each item of a List to its own namespace, not the List’s (issue 13)', () => {
    const { cluster, states } = existing();
    const list = `${API}\nkind: List\nmetadata: {name: l, namespace: a}\nitems:\n  - ${warehouse('b', 'smuggled').split('\n').join('\n    ')}\n  - ${project('c').split('\n').join('\n    ')}`;
    const plan = ok(planApply(files(list), cluster, states, options));
    expect(plan.projects.map((p) => [p.project, p.input.resources.map((r) => r.metadata.name)])).toEqual([
      ['c', []],
      ['b', ['smuggled']],
    ]);
    expect(plan.cluster.projects).toEqual(['c']);
  });
});

describe('planApply: cluster-wide resources', () => {
  it('fans a ClusterPromotionTask out to every existing project, which answers with nothing of its own', () => {
    const { cluster, states } = existing();
    const plan = ok(planApply(files(clusterTask('shared'), warehouse('a', 'more')), cluster, states, options));
    expect(plan.projects.map((p) => [p.project, p.fanOut, p.input.clusterTasks.map((t) => t.metadata.name)])).toEqual([
      ['a', false, ['shared']],
      ['b', true, ['shared']],
    ]);
    expect(plan.cluster.clusterTasks.map((t) => t.metadata.name)).toEqual(['shared']);
    expect(plan.results).toEqual([{ kind: 'ClusterPromotionTask', name: 'shared', action: 'created' }]);
    const lines = [{ kind: 'Warehouse', name: 'more', action: 'created' as const }];
    expect(reportedLines(plan.projects[0]!, lines)).toEqual([{ ...lines[0], project: 'a' }]);
    expect(reportedLines(plan.projects[1]!, lines)).toEqual([]);
  });

  it('keeps the cluster tasks that exist, replacing those applied again (configured)', () => {
    const { cluster, states } = existing();
    const old = (name: string): ClusterPromotionTask => ({ ...(parseManifestFiles([{ name: 't', content: clusterTask(name, 'old') }]).manifests[0] as ClusterPromotionTask) });
    cluster.clusterTasks = { keep: old('keep'), shared: old('shared') };
    const plan = ok(planApply(files(clusterTask('shared')), cluster, states, options));
    expect(plan.results).toEqual([{ kind: 'ClusterPromotionTask', name: 'shared', action: 'configured' }]);
    const tasks = plan.projects[0]!.input.clusterTasks;
    expect(tasks.map((t) => [t.metadata.name, t.spec.steps[0]?.as])).toEqual([
      ['keep', 'old'],
      ['shared', 'clone'],
    ]);
  });

  it('lets a stage use a cluster task applied in the same files, and refuses one that uses a task nobody applied', () => {
    const { cluster, states } = existing();
    expect(planApply(files(clusterTask('shared'), stage('b', 'uses-task', 'app', 'shared')), cluster, states, options).ok).toBe(true);
    const refused = refusal(planApply(files(stage('b', 'uses-task', 'app', 'missing')), cluster, states, options));
    expect(refused.code).toBe('InvalidManifest');
    expect(refused.details).toEqual(['f0.yaml: project b: Stage uses-task: spec.promotionTemplate.spec.steps[0].task.name: unknown ClusterPromotionTask "missing"']);
  });

  it('says whether a ClusterConfig is created, unchanged or configured', () => {
    const config = parseManifestFiles([{ name: 'c', content: clusterConfig('org') }]).manifests[0];
    const line = (existingConfig: unknown, applied: string) =>
      ok(planApply(files(applied), { ...noCluster(), ...(existingConfig ? { config: existingConfig as never } : {}) }, {}, options)).results;
    expect(line(undefined, clusterConfig('org'))).toEqual([{ kind: 'ClusterConfig', name: 'cluster', action: 'created' }]);
    expect(line(config, clusterConfig('org'))).toEqual([{ kind: 'ClusterConfig', name: 'cluster', action: 'unchanged' }]);
    expect(line(config, clusterConfig('org-2'))).toEqual([{ kind: 'ClusterConfig', name: 'cluster', action: 'configured' }]);
    expect(ok(planApply(files(clusterConfig('org')), noCluster(), {}, options)).cluster.config?.metadata.name).toBe('cluster');
  });
});

describe('planApply: validation errors', () => {
  it('refuses files with problems, naming file and document, before anything else', () => {
    const error = refusal(planApply(files(warehouse('a'), `${API}\nkind: Stage\nmetadata: {name: s, namespace: a}\nspec: {}`), noCluster(), {}, options));
    expect(error.code).toBe('InvalidManifest');
    expect(error.details[0]).toMatch(/^f1\.yaml: document 1 \(Stage s\): /);
    expect(filesRefusal(files(`${API}\nkind: Stage\nmetadata: {name: s, namespace: a}\nspec: {}`))?.code).toBe('InvalidManifest');
  });

  it('refuses files without a manifest', () => {
    expect(refusal(planApply(files('# nothing here\n'), noCluster(), {}, options))).toMatchObject({ code: 'BadRequest', message: 'no manifests found in the files given' });
  });

  it('refuses resources of a project that does not exist, naming each document and its file', () => {
    const error = refusal(planApply(files(warehouse('ghost'), stage('ghost', 'dev')), noCluster(), {}, options));
    expect(error.code).toBe('InvalidManifest');
    expect(error.details).toEqual([
      'f0.yaml: Warehouse ghost/app: project "ghost" does not exist; apply a Project named "ghost" first (or in the same files)',
      'f1.yaml: Stage ghost/dev: project "ghost" does not exist; apply a Project named "ghost" first (or in the same files)',
    ]);
  });

  it('accepts resources of a project created in the same files', () => {
    expect(planApply(files(warehouse('new'), project('new')), noCluster(), {}, options).ok).toBe(true);
  });

  it('refuses spec problems of any project, naming the file of the document at fault when the apply has it', () => {
    const { cluster, states } = existing();
    const error = refusal(planApply(files(stage('a', 'qa', 'nowhere')), cluster, states, options));
    expect(error.code).toBe('InvalidManifest');
    expect(error.details).toEqual([expect.stringMatching(/^f0\.yaml: project a: Stage qa: spec\.requestedFreight\[0\]\.origin\.name: .*"nowhere"/)]);
  });

  it('refuses a project change too large for one Temporal payload', () => {
    const note = 'x'.repeat(3 * 1024 * 1024);
    const big = yamlOf(aStage('big', { project: 'a', steps: [{ ...cloneStep(), config: { repoURL: 'https://example.com/g.git', note } }] }));
    const { cluster, states } = existing();
    const error = refusal(planApply(files(big), cluster, states, options));
    expect(error.code).toBe('PayloadTooLarge');
    expect(error.message).toMatch(/^the apply to project "a" \(1 resources\) is .* MiB as JSON; the limit is 2 MiB/);
  });

  it('refuses to plan without the state of an existing project it changes', () => {
    const { cluster } = existing();
    expect(refusal(planApply(files(warehouse('a', 'w2')), cluster, {}, options))).toMatchObject({ code: 'Internal' });
  });
});

describe('planApply: dry run', () => {
  it('reports every line the apply would give, changing no state', () => {
    const { cluster, states } = existing();
    const before = structuredClone(states);
    const plan = ok(planApply(files(warehouse('a'), stage('a', 'qa'), freight('a', '1.0.0'), clusterTask('shared'), project('new')), cluster, states, { ...options, dryRun: true }));
    expect(plan.dryRun).toBe(true);
    expect(plan.results).toEqual([
      { kind: 'ClusterPromotionTask', name: 'shared', action: 'created' },
      { project: 'new', kind: 'Project', name: 'new', action: 'created' },
      { project: 'a', kind: 'Warehouse', name: 'app', action: 'unchanged' },
      { project: 'a', kind: 'Stage', name: 'qa', action: 'created' },
      { project: 'a', kind: 'Freight', name: expect.stringMatching(/^[0-9a-f]{40} \([a-z]+-[a-z]+\)$/), action: 'created' },
    ]);
    expect(states).toEqual(before);
  });

  it('plans the same updates as a real apply would send', () => {
    const { cluster, states } = existing();
    const input = files(warehouse('a', 'w2'));
    const dry = ok(planApply(input, cluster, states, { ...options, dryRun: true }));
    const real = ok(planApply(input, cluster, states, options));
    expect(dry.projects).toEqual(real.projects);
    expect(dry.cluster).toEqual(real.cluster);
    expect(real.results).toEqual([]);
    expect(dry.results).toEqual([{ project: 'a', kind: 'Warehouse', name: 'w2', action: 'created' }]);
  });
});
