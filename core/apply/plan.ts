/**
 * Planning an apply: from the parsed manifest files, what exists now and the caller's options,
 * what to send where. Pure: the api's Temporal backend reads the current state, asks planApply,
 * and only executes the plan (one update of the cluster registry, one update per project).
 *
 * Security: every manifest goes to the project its permission was checked for
 * (core/rbac/manifest-target.ts, the same function the api's apply check uses), so an apply
 * writes only where its own parsed manifests say, each of which was authorized.
 */
import { DomainError } from '../errors.js';
import { invalidManifests, type ParsedManifestFiles } from '../manifests/files.js';
import type { ClusterAnalysisTemplate, ClusterConfig, ClusterPromotionTask, Manifest, Project, ProjectScopedManifest } from '../model.js';
import { payloadSizeIssue } from '../payload-budget.js';
import { applyIssues, applyResources, emptyProjectState, type ApplyAction, type ApplyInput, type ApplyResultLine } from '../project/apply.js';
import type { ProjectState } from '../project/state.js';
import { describeManifest, manifestTarget } from '../rbac/manifest-target.js';
import { stableStringify } from '../stable-stringify.js';

/** What the cluster registry holds when the apply is planned (the cluster workflow's state). */
export interface ExistingCluster {
  projects: Record<string, unknown>;
  clusterTasks: Record<string, ClusterPromotionTask>;
  clusterAnalysisTemplates?: Record<string, ClusterAnalysisTemplate>;
  config?: ClusterConfig;
}

export interface ApplyOptions {
  dryRun: boolean;
  actor?: string;
  /** The time new projects are created at, and a dry run's freight is discovered at. */
  now: string;
  /** Picks the aliases a dry run reports for new freight. */
  random: () => number;
}

/** One line of an apply's answer: what happened (or, on a dry run, would happen) to a resource. */
export interface ApplyReportLine extends ApplyResultLine {
  project?: string;
}

/** The change to the cluster registry: projects created, cluster-wide resources applied. */
export interface ClusterChange {
  projects: string[];
  clusterTasks: ClusterPromotionTask[];
  config?: ClusterConfig;
  clusterAnalysisTemplates?: ClusterAnalysisTemplate[];
}

export interface ProjectApply {
  project: string;
  /** What the project workflow's applySpecs update receives. */
  input: ApplyInput;
  /**
   * The project is in the apply only because a cluster-wide task or template changed (they are
   * re-checked against it and take the new ones): its answer reports nothing of it.
   */
  fanOut: boolean;
}

export type ApplyPlan =
  | { ok: false; error: DomainError }
  | {
      ok: true;
      dryRun: boolean;
      hints: string[];
      cluster: ClusterChange;
      /** In order: projects named by the apply first, then the fan-out. */
      projects: ProjectApply[];
      /** The answer so far: the cluster-wide lines; on a dry run every line. */
      results: ApplyReportLine[];
    };

/** The manifests of an apply, sorted by where they go. */
interface ApplyBatch {
  projectManifests: Map<string, Project>;
  byProject: Map<string, ProjectScopedManifest[]>;
  clusterTasks: ClusterPromotionTask[];
  clusterTemplates: ClusterAnalysisTemplate[];
  clusterConfig?: ClusterConfig;
  /** The file each manifest came from. */
  fileOf: Map<Manifest, string>;
}

function sortManifests(parsed: ParsedManifestFiles): ApplyBatch {
  const batch: ApplyBatch = { projectManifests: new Map(), byProject: new Map(), clusterTasks: [], clusterTemplates: [], fileOf: new Map() };
  parsed.manifests.forEach((m, i) => {
    batch.fileOf.set(m, parsed.files[i] ?? '');
    if (m.kind === 'Project') batch.projectManifests.set(m.metadata.name, m);
    else if (m.kind === 'ClusterConfig') batch.clusterConfig = m;
    else if (m.kind === 'ClusterPromotionTask') batch.clusterTasks.push(m);
    else if (m.kind === 'ClusterAnalysisTemplate') batch.clusterTemplates.push(m);
    else {
      // The project the permission check authorized this manifest for.
      const project = manifestTarget(m).project!;
      batch.byProject.set(project, [...(batch.byProject.get(project) ?? []), m]);
    }
  });
  return batch;
}

/** Every project the apply changes: those it names, then (when a cluster-wide task or template changes) every existing one. */
function touchedProjects(batch: ApplyBatch, cluster: ExistingCluster): { project: string; fanOut: boolean }[] {
  const named = new Set([...batch.projectManifests.keys(), ...batch.byProject.keys()]);
  const fanOut = batch.clusterTasks.length || batch.clusterTemplates.length ? Object.keys(cluster.projects).filter((p) => !named.has(p)) : [];
  return [...[...named].map((project) => ({ project, fanOut: false })), ...fanOut.map((project) => ({ project, fanOut: true }))];
}

/**
 * Why the files cannot be applied whatever exists (problems in them, or no manifest at all); the
 * first check of planApply, which a caller may make before it reads any state.
 */
export function filesRefusal(parsed: ParsedManifestFiles): DomainError | undefined {
  if (parsed.problems.length) return invalidManifests(parsed.problems);
  if (parsed.manifests.length === 0) return new DomainError('BadRequest', 'no manifests found in the files given');
  return undefined;
}

/** The existing projects whose current state planApply needs (none when the files cannot be applied anyway). */
export function projectsToRead(parsed: ParsedManifestFiles, cluster: ExistingCluster): string[] {
  if (filesRefusal(parsed)) return [];
  return touchedProjects(sortManifests(parsed), cluster)
    .map((t) => t.project)
    .filter((p) => cluster.projects[p] !== undefined);
}

/**
 * The plan of an apply, or why it may not go ahead (nothing is applied then): problems in the
 * files, resources of a project that does not exist, spec problems of any project it changes, a
 * project's change too large for one Temporal payload. `states` holds the current state of every
 * project of projectsToRead.
 */
export function planApply(parsed: ParsedManifestFiles, cluster: ExistingCluster, states: Readonly<Record<string, ProjectState>>, options: ApplyOptions): ApplyPlan {
  const unusable = filesRefusal(parsed);
  if (unusable) return refused(unusable);
  const batch = sortManifests(parsed);

  const missing: string[] = [];
  for (const [project, resources] of batch.byProject) {
    if (cluster.projects[project] !== undefined || batch.projectManifests.has(project)) continue;
    for (const r of resources) {
      missing.push(`${batch.fileOf.get(r)}: ${describeManifest(r)}: project "${project}" does not exist; apply a Project named "${project}" first (or in the same files)`);
    }
  }
  if (missing.length) return refused(invalidManifests(missing));

  const allClusterTasks = new Map(Object.entries(cluster.clusterTasks));
  for (const t of batch.clusterTasks) allClusterTasks.set(t.metadata.name, t);
  const allClusterTemplates = new Map(Object.entries(cluster.clusterAnalysisTemplates ?? {}));
  for (const t of batch.clusterTemplates) allClusterTemplates.set(t.metadata.name, t);

  const projects: ProjectApply[] = [];
  const before = new Map<string, ProjectState>();
  const problems: string[] = [];
  for (const { project, fanOut } of touchedProjects(batch, cluster)) {
    const exists = cluster.projects[project] !== undefined;
    const state = exists ? states[project] : emptyProjectState(project, options.now);
    if (!state) return refused(new DomainError('Internal', `the apply was planned without the state of project "${project}"`));
    const projectManifest = batch.projectManifests.get(project);
    const input: ApplyInput = {
      resources: batch.byProject.get(project) ?? [],
      clusterTasks: [...allClusterTasks.values()],
      ...(allClusterTemplates.size ? { clusterAnalysisTemplates: [...allClusterTemplates.values()] } : {}),
      ...(projectManifest ? { projectManifest } : {}),
      ...(options.actor ? { actor: options.actor } : {}),
    };
    problems.push(...applyIssues(state, input).map((line) => `${fileNaming(line, input.resources, batch.fileOf)}project ${project}: ${line}`));
    projects.push({ project, input, fanOut });
    before.set(project, state);
  }
  if (problems.length) return refused(invalidManifests(problems));
  // Refused before anything is sent: Temporal would refuse the update itself, midway through.
  for (const { project, input } of projects) {
    const tooLarge = payloadSizeIssue(`the apply to project "${project}" (${input.resources.length} resources)`, input);
    if (tooLarge) return refused(new DomainError('PayloadTooLarge', tooLarge));
  }

  const results: ApplyReportLine[] = [
    ...batch.clusterTasks.map((t) => ({ kind: 'ClusterPromotionTask', name: t.metadata.name, action: createdOrConfigured(cluster.clusterTasks[t.metadata.name]) })),
    ...batch.clusterTemplates.map((t) => ({
      kind: 'ClusterAnalysisTemplate',
      name: t.metadata.name,
      action: createdOrConfigured(cluster.clusterAnalysisTemplates?.[t.metadata.name]),
    })),
  ];
  if (batch.clusterConfig) {
    const same = cluster.config !== undefined && stableStringify(cluster.config) === stableStringify(batch.clusterConfig);
    results.push({ kind: 'ClusterConfig', name: batch.clusterConfig.metadata.name, action: cluster.config === undefined ? 'created' : same ? 'unchanged' : 'configured' });
  }
  if (options.dryRun) {
    for (const p of projects) {
      results.push(...reportedLines(p, applyResources(structuredClone(before.get(p.project)!), p.input, options.now, options.random)));
    }
  }
  return {
    ok: true,
    dryRun: options.dryRun,
    hints: parsed.hints,
    cluster: {
      projects: [...batch.projectManifests.keys()],
      clusterTasks: batch.clusterTasks,
      ...(batch.clusterConfig ? { config: batch.clusterConfig } : {}),
      ...(batch.clusterTemplates.length ? { clusterAnalysisTemplates: batch.clusterTemplates } : {}),
    },
    projects,
    results,
  };
}

/** The lines of a project's apply outcome that the answer reports, each naming the project. */
export function reportedLines(apply: ProjectApply, lines: readonly ApplyResultLine[]): ApplyReportLine[] {
  return lines.filter((l) => !apply.fanOut || l.kind === 'Project').map((l) => ({ ...l, project: apply.project }));
}

function refused(error: DomainError): ApplyPlan {
  return { ok: false, error };
}

function createdOrConfigured(existing: unknown): ApplyAction {
  return existing === undefined ? 'created' : 'configured';
}

/** `file: ` of the document a spec problem names (`Stage prod: …`), when this apply has it. */
function fileNaming(line: string, resources: readonly ProjectScopedManifest[], fileOf: ReadonlyMap<Manifest, string>): string {
  const named = resources.find((r) => [r.metadata.name, ...(r.kind === 'Freight' && r.alias ? [r.alias] : [])].some((n) => line.startsWith(`${r.kind} ${n}: `)));
  return named ? `${fileOf.get(named)}: ` : '';
}
