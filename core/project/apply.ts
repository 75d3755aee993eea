import type { ClusterAnalysisTemplate, ClusterPromotionTask, FreightManifest, Project, ProjectScopedManifest } from '../model.js';
import { freightContentFromManifest, freightId } from '../freight/freight-id.js';
import { freightAlias } from '../freight/alias.js';
import { normalizeChartURL, normalizeGitURL } from '../freight/normalize.js';
import { formatSpecIssue, validateProjectSpecs } from '../pipeline/validate.js';
import { STEP_KINDS } from '../promotion/step-kinds.js';
import { stableStringify } from '../stable-stringify.js';
import { settleControlFlowStages } from './control-flow.js';
import { verificationIssues } from './verification.js';
import type { FreightRecord, ProjectSpecSet, ProjectState } from './state.js';

export interface ApplyInput {
  /** Parsed, schema-valid manifests of this project. */
  resources: ProjectScopedManifest[];
  projectManifest?: Project;
  /** Every ClusterPromotionTask the caller knows, so stages can reference them. */
  clusterTasks: ClusterPromotionTask[];
  /** Every ClusterAnalysisTemplate the cluster has (absent: the project keeps the ones it knows). */
  clusterAnalysisTemplates?: ClusterAnalysisTemplate[];
  actor?: string;
}

export type ApplyAction = 'created' | 'configured' | 'unchanged';
export interface ApplyResultLine {
  kind: string;
  name: string;
  action: ApplyAction;
}

export function emptyProjectState(project: string, now: string): ProjectState {
  return {
    project,
    specs: { warehouses: {}, stages: {}, tasks: {}, clusterTasks: {} },
    freight: {},
    stages: {},
    promotions: [],
    updatedAt: now,
  };
}

/** The spec set the project would have after the apply; the input state is not touched. */
export function mergedSpecs(specs: ProjectSpecSet, input: ApplyInput): ProjectSpecSet {
  const next: ProjectSpecSet = {
    ...specs,
    warehouses: { ...specs.warehouses },
    stages: { ...specs.stages },
    tasks: { ...specs.tasks },
    ...(specs.analysisTemplates || input.resources.some((r) => r.kind === 'AnalysisTemplate')
      ? { analysisTemplates: { ...specs.analysisTemplates } }
      : {}),
    clusterTasks: Object.fromEntries(input.clusterTasks.map((t) => [t.metadata.name, t])),
    ...(input.clusterAnalysisTemplates?.length
      ? { clusterAnalysisTemplates: Object.fromEntries(input.clusterAnalysisTemplates.map((t) => [t.metadata.name, t])) }
      : {}),
  };
  if (input.projectManifest) next.project = input.projectManifest;
  for (const r of input.resources) {
    if (r.kind === 'Warehouse') next.warehouses[r.metadata.name] = r;
    else if (r.kind === 'Stage') next.stages[r.metadata.name] = r;
    else if (r.kind === 'PromotionTask') next.tasks[r.metadata.name] = r;
    else if (r.kind === 'ProjectConfig') next.config = r;
    else if (r.kind === 'AnalysisTemplate') next.analysisTemplates![r.metadata.name] = r;
  }
  return next;
}

export function specIssues(project: string, specs: ProjectSpecSet): string[] {
  return validateProjectSpecs(
    {
      project,
      config: specs.config,
      warehouses: Object.values(specs.warehouses),
      stages: Object.values(specs.stages),
      tasks: Object.values(specs.tasks),
      clusterTasks: Object.values(specs.clusterTasks),
    },
    STEP_KINDS,
  )
    .map(formatSpecIssue)
    .concat(verificationIssues(specs));
}

/**
 * Everything wrong with applying `input` to `state`, as lines for the user; empty when the
 * apply may go ahead. Uses no randomness or clock: it runs in an update validator.
 */
export function applyIssues(state: ProjectState, input: ApplyInput): string[] {
  const specs = mergedSpecs(state.specs, input);
  const issues = specIssues(state.project, specs);
  const aliases = new Map(Object.values(state.freight).map((f) => [f.alias, f.name]));
  for (const m of input.resources) {
    if (m.kind !== 'Freight') continue;
    issues.push(...freightIssues(m, specs));
    const id = freightId(freightContentFromManifest(m));
    if (m.alias && aliases.has(m.alias) && aliases.get(m.alias) !== id) {
      issues.push(`Freight ${m.alias}: alias "${m.alias}" is already used by freight ${aliases.get(m.alias)}`);
    }
    if (m.alias) aliases.set(m.alias, id);
  }
  return issues;
}

/** Kargo's rule: the origin warehouse exists and every subscription gets exactly one artifact. */
export function freightIssues(m: FreightManifest, specs: ProjectSpecSet): string[] {
  const label = `Freight ${m.alias ?? m.metadata.name}`;
  const warehouse = specs.warehouses[m.origin.name];
  if (!warehouse) return [`${label}: origin: unknown warehouse "${m.origin.name}"`];
  const issues: string[] = [];
  const images = [...(m.images ?? [])];
  const commits = [...(m.commits ?? [])];
  const charts = [...(m.charts ?? [])];
  for (const sub of warehouse.spec.subscriptions) {
    let index = -1;
    let what = '';
    if (sub.image) {
      what = `image ${sub.image.repoURL}`;
      index = images.findIndex((i) => i.repoURL === sub.image!.repoURL);
      if (index >= 0) images.splice(index, 1);
    } else if (sub.git) {
      what = `git repository ${sub.git.repoURL}`;
      const want = normalizeGitURL(sub.git.repoURL);
      index = commits.findIndex((c) => normalizeGitURL(c.repoURL) === want);
      if (index >= 0) commits.splice(index, 1);
    } else if (sub.chart) {
      what = `chart ${sub.chart.repoURL}${sub.chart.name ? ` ${sub.chart.name}` : ''}`;
      const want = normalizeChartURL(sub.chart.repoURL);
      index = charts.findIndex((c) => normalizeChartURL(c.repoURL) === want && (c.name ?? '') === (sub.chart!.name ?? ''));
      if (index >= 0) charts.splice(index, 1);
    }
    if (index < 0 && what) issues.push(`${label}: warehouse "${warehouse.metadata.name}" subscribes to ${what}, but the freight has no artifact for it`);
  }
  for (const i of images) issues.push(`${label}: image ${i.repoURL} is not a subscription of warehouse "${warehouse.metadata.name}"`);
  for (const c of commits) issues.push(`${label}: git repository ${c.repoURL} is not a subscription of warehouse "${warehouse.metadata.name}"`);
  for (const c of charts) issues.push(`${label}: chart ${c.repoURL}${c.name ? ` ${c.name}` : ''} is not a subscription of warehouse "${warehouse.metadata.name}"`);
  return issues;
}

/**
 * Applies a validated input to the state in place and says what happened to each resource.
 * `random` picks aliases for new freight.
 */
export function applyResources(
  state: ProjectState,
  input: ApplyInput,
  now: string,
  random: () => number,
): ApplyResultLine[] {
  const results: ApplyResultLine[] = [];
  const before = state.specs;
  if (input.projectManifest) {
    const action: ApplyAction = !before.project
      ? 'created'
      : stableStringify(before.project) === stableStringify(input.projectManifest) ? 'unchanged' : 'configured';
    results.push({ kind: 'Project', name: state.project, action });
  }
  state.specs = mergedSpecs(before, input);
  // Aliases given explicitly in this apply are taken before any alias is generated.
  const explicitAliases = input.resources.flatMap((r) => (r.kind === 'Freight' && r.alias ? [r.alias] : []));
  for (const r of input.resources) {
    if (r.kind === 'Freight') {
      results.push(createFreight(state, r, now, random, input.actor, explicitAliases));
      continue;
    }
    const previous =
      r.kind === 'Warehouse' ? before.warehouses[r.metadata.name]
      : r.kind === 'Stage' ? before.stages[r.metadata.name]
      : r.kind === 'PromotionTask' ? before.tasks[r.metadata.name]
      : r.kind === 'AnalysisTemplate' ? before.analysisTemplates?.[r.metadata.name]
      : before.config;
    const action: ApplyAction = !previous ? 'created' : stableStringify(previous) === stableStringify(r) ? 'unchanged' : 'configured';
    results.push({ kind: r.kind, name: r.metadata.name, action });
    if (r.kind === 'Stage' && !state.stages[r.metadata.name]) state.stages[r.metadata.name] = { freightHistory: [], queue: [] };
  }
  settleControlFlowStages(state, now);
  state.updatedAt = now;
  return results;
}

function createFreight(
  state: ProjectState,
  m: FreightManifest,
  now: string,
  random: () => number,
  actor: string | undefined,
  reserved: readonly string[],
): ApplyResultLine {
  const content = freightContentFromManifest(m);
  const id = freightId(content);
  const existing = state.freight[id];
  if (existing) {
    if (m.alias && m.alias !== existing.alias) {
      existing.alias = m.alias;
      return { kind: 'Freight', name: `${id} (${m.alias})`, action: 'configured' };
    }
    return { kind: 'Freight', name: `${id} (${existing.alias})`, action: 'unchanged' };
  }
  const taken = new Set([...Object.values(state.freight).map((f) => f.alias), ...reserved]);
  const alias = m.alias ?? freightAlias(random, taken);
  const record: FreightRecord = {
    name: id,
    alias,
    ...content,
    discoveredAt: now,
    currentlyIn: {},
    verifiedIn: {},
    approvedFor: {},
  };
  if (actor) record.createdBy = actor;
  state.freight[id] = record;
  return { kind: 'Freight', name: `${id} (${alias})`, action: 'created' };
}

/** Why a stage or warehouse may not be deleted; undefined when it may. */
export function deleteIssue(state: ProjectState, kind: 'Stage' | 'Warehouse', name: string): string | undefined {
  const specs = state.specs;
  if (kind === 'Stage') {
    if (!specs.stages[name]) return `stage "${name}" not found in project "${state.project}"`;
    const stage = state.stages[name];
    if (stage?.currentPromotion || (stage?.queue.length ?? 0) > 0) return `stage "${name}" has a promotion running or queued`;
    const users = Object.values(specs.stages).filter((s) =>
      s.spec.requestedFreight.some((r) => (r.sources.stages ?? []).includes(name)),
    );
    if (users.length) return `stage "${name}" is an upstream of ${users.map((s) => `"${s.metadata.name}"`).join(', ')}; delete or change those first`;
    return undefined;
  }
  if (!specs.warehouses[name]) return `warehouse "${name}" not found in project "${state.project}"`;
  const users = Object.values(specs.stages).filter((s) => s.spec.requestedFreight.some((r) => r.origin.name === name));
  if (users.length) return `warehouse "${name}" is requested by ${users.map((s) => `"${s.metadata.name}"`).join(', ')}; delete or change those first`;
  return undefined;
}

export function deleteResource(state: ProjectState, kind: 'Stage' | 'Warehouse', name: string, now: string): void {
  if (kind === 'Stage') {
    delete state.specs.stages[name];
    delete state.stages[name];
    // Its promotions go with it (none is running or queued: deleteIssue checked).
    state.promotions = state.promotions.filter((p) => p.stage !== name);
    for (const f of Object.values(state.freight)) {
      delete f.currentlyIn[name];
      delete f.verifiedIn[name];
      delete f.approvedFor[name];
    }
  } else {
    delete state.specs.warehouses[name];
  }
  state.updatedAt = now;
}
