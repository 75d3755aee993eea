/**
 * Apply-time validation of a project's whole set of specs: the checks that need more than one
 * document (references between stages, warehouses and tasks; cycles), step kinds this build
 * can run, and the syntax of every expression. Each problem names the resource and the field
 * path, e.g. `Stage prod: spec.requestedFreight[0].sources.stages[0]: unknown stage "stagin"`.
 *
 * The per-document rules of core/manifests are applied again here, so specs that did not come
 * through the YAML parser are held to the same rules.
 */
import { checkExpressionSyntax, checkTemplateSyntax } from '../expressions/index.js';
import { formatPath, type LocalIssue } from '../manifests/issues.js';
import { taskSpecIssues } from '../manifests/step-rules.js';
import { stageSpecIssues } from '../manifests/stage-rules.js';
import { warehouseSpecIssues } from '../manifests/warehouse-rules.js';
import type {
  ClusterPromotionTask,
  ExpressionVariable,
  ObjectMeta,
  ProjectConfig,
  PromotionStepSpec,
  PromotionTask,
  Stage,
  Warehouse,
} from '../model.js';
import { findCycles, stageGraph } from './graph.js';

export { stageGraph, findCycles, type StageGraph } from './graph.js';

export interface ProjectSpecs {
  project: string;
  config?: ProjectConfig;
  warehouses: Warehouse[];
  stages: Stage[];
  tasks: PromotionTask[];
  clusterTasks: ClusterPromotionTask[];
}

export interface SpecIssue {
  kind: string;
  name: string;
  /** Dotted field path inside the resource; empty for the resource as a whole. */
  path: string;
  message: string;
}

/** `Stage prod: spec.requestedFreight[0].sources.stages[0]: unknown stage "stagin"` */
export function formatSpecIssue(i: SpecIssue): string {
  return `${i.kind} ${i.name}: ${i.path !== '' ? `${i.path}: ` : ''}${i.message}`;
}

/** Levenshtein distance, for "did you mean" suggestions. */
function distance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0] ?? 0;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const up = prev[j] ?? 0;
      prev[j] = Math.min(up + 1, (prev[j - 1] ?? 0) + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = up;
    }
  }
  return prev[b.length] ?? 0;
}

function unknownStepKind(uses: string, known: readonly string[]): string {
  const best = known
    .map((k) => ({ k, d: distance(uses, k) }))
    .filter((x) => x.d <= 2)
    .sort((x, y) => x.d - y.d || (x.k < y.k ? -1 : 1))[0];
  return best !== undefined
    ? `unknown step kind ${JSON.stringify(uses)} (did you mean ${JSON.stringify(best.k)}?)`
    : `unknown step kind ${JSON.stringify(uses)}; this build runs ${known.join(', ')}`;
}

/** `${{ … }}`, the whole (trimmed) value: what an `if` must be. */
const WHOLE_EXPRESSION = /^\$\{\{[\s\S]*\}\}$/;

class Collector {
  readonly issues: SpecIssue[] = [];
  constructor(private readonly knownStepKinds: readonly string[]) {}

  add(kind: string, name: string, path: string, message: string): void {
    this.issues.push({ kind, name, path, message });
  }

  local(kind: string, name: string, prefix: (string | number)[], issues: readonly LocalIssue[]): void {
    for (const i of issues) this.add(kind, name, formatPath([...prefix, ...i.path]), i.message);
  }

  /** Every `${{ }}` / `${% %}` inside `value` must parse. */
  template(kind: string, name: string, path: string, value: unknown): void {
    for (const e of checkTemplateSyntax(value, path)) this.add(kind, name, e.path, `invalid expression: ${e.message}`);
  }

  /** A bare expression (no `${{ }}`) must parse. */
  bare(kind: string, name: string, path: string, src: string | undefined): void {
    if (src === undefined || src.trim() === '') return;
    const message = checkExpressionSyntax(src);
    if (message !== undefined) this.add(kind, name, path, `invalid expression: ${message}`);
  }

  vars(kind: string, name: string, path: string, vars: readonly ExpressionVariable[] | undefined): void {
    (vars ?? []).forEach((v, i) => {
      if (v.value !== undefined) this.template(kind, name, `${path}[${i}].value`, v.value);
    });
  }

  /** Step kind and expressions of one `uses` step. */
  step(kind: string, name: string, path: string, step: PromotionStepSpec): void {
    if (step.uses !== undefined && !this.knownStepKinds.includes(step.uses)) {
      this.add(kind, name, `${path}.uses`, unknownStepKind(step.uses, this.knownStepKinds));
    }
    if (step.if !== undefined) {
      if (!WHOLE_EXPRESSION.test(step.if.trim())) {
        this.add(kind, name, `${path}.if`, 'must be a single ${{ }} expression, e.g. ${{ failure() }}');
      } else this.template(kind, name, `${path}.if`, step.if);
    }
    this.vars(kind, name, `${path}.vars`, step.vars);
    if (step.config !== undefined) this.template(kind, name, `${path}.config`, step.config);
  }
}

function checkNames(c: Collector, kind: string, items: readonly { metadata: ObjectMeta }[], project: string | undefined): void {
  const seen = new Set<string>();
  for (const item of items) {
    const { name, namespace } = item.metadata;
    if (seen.has(name)) c.add(kind, name, 'metadata.name', `duplicate ${kind} ${JSON.stringify(name)}`);
    seen.add(name);
    if (project !== undefined && namespace !== undefined && namespace !== project) {
      c.add(kind, name, 'metadata.namespace', `expected ${JSON.stringify(project)} (the project), got ${JSON.stringify(namespace)}`);
    }
  }
}

function requiredTaskVars(
  stage: Stage,
  step: PromotionStepSpec,
  taskVars: readonly ExpressionVariable[] | undefined,
): string[] {
  const given = new Set(
    [...(stage.spec.vars ?? []), ...(stage.spec.promotionTemplate?.spec.vars ?? []), ...(step.vars ?? [])]
      .filter((v) => (v.value ?? '') !== '')
      .map((v) => v.name),
  );
  return (taskVars ?? []).filter((v) => (v.value ?? '') === '' && !given.has(v.name)).map((v) => v.name);
}

/**
 * Every problem in a project's spec set (empty when it can be applied).
 * `knownStepKinds` are the `uses` values this build runs (core/promotion/step-kinds.ts).
 */
export function validateProjectSpecs(specs: ProjectSpecs, knownStepKinds: readonly string[]): SpecIssue[] {
  const c = new Collector(knownStepKinds);
  const { project } = specs;

  if (specs.config !== undefined) {
    const pc = specs.config;
    const name = pc.metadata.name;
    if (name !== project) {
      c.add('ProjectConfig', name, 'metadata.name', `a ProjectConfig must be named like its project (${JSON.stringify(project)})`);
    }
    if (pc.metadata.namespace !== undefined && pc.metadata.namespace !== project) {
      c.add('ProjectConfig', name, 'metadata.namespace', `expected ${JSON.stringify(project)} (the project), got ${JSON.stringify(pc.metadata.namespace)}`);
    }
  }
  checkNames(c, 'Warehouse', specs.warehouses, project);
  checkNames(c, 'Stage', specs.stages, project);
  checkNames(c, 'PromotionTask', specs.tasks, project);
  checkNames(c, 'ClusterPromotionTask', specs.clusterTasks, undefined);

  // ---- warehouses
  for (const w of specs.warehouses) {
    const name = w.metadata.name;
    c.local('Warehouse', name, ['spec'], warehouseSpecIssues(w.spec));
    c.bare('Warehouse', name, 'spec.freightCreationCriteria.expression', w.spec.freightCreationCriteria?.expression);
    w.spec.subscriptions.forEach((sub, i) => {
      c.bare('Warehouse', name, `spec.subscriptions[${i}].git.expressionFilter`, sub.git?.expressionFilter);
    });
  }

  // ---- tasks
  const tasks: [string, readonly (PromotionTask | ClusterPromotionTask)[]][] = [
    ['PromotionTask', specs.tasks],
    ['ClusterPromotionTask', specs.clusterTasks],
  ];
  for (const [kind, list] of tasks) {
    for (const t of list) {
      const name = t.metadata.name;
      c.local(kind, name, ['spec'], taskSpecIssues(t.spec));
      c.vars(kind, name, 'spec.vars', t.spec.vars);
      t.spec.steps.forEach((step, i) => c.step(kind, name, `spec.steps[${i}]`, step));
    }
  }

  // ---- stages
  const warehouses = new Set(specs.warehouses.map((w) => w.metadata.name));
  const stagesByName = new Map(specs.stages.map((s) => [s.metadata.name, s]));
  const taskSpecs = {
    PromotionTask: new Map(specs.tasks.map((t) => [t.metadata.name, t.spec])),
    ClusterPromotionTask: new Map(specs.clusterTasks.map((t) => [t.metadata.name, t.spec])),
  };
  for (const stage of specs.stages) {
    const name = stage.metadata.name;
    c.local('Stage', name, ['spec'], stageSpecIssues(stage.spec));
    c.vars('Stage', name, 'spec.vars', stage.spec.vars);
    stage.spec.requestedFreight.forEach((req, i) => {
      const at = `spec.requestedFreight[${i}]`;
      if (!warehouses.has(req.origin.name)) {
        c.add('Stage', name, `${at}.origin.name`, `unknown warehouse ${JSON.stringify(req.origin.name)}`);
      }
      (req.sources.stages ?? []).forEach((up, j) => {
        const path = `${at}.sources.stages[${j}]`;
        const upstream = stagesByName.get(up);
        if (upstream === undefined) {
          c.add('Stage', name, path, `unknown stage ${JSON.stringify(up)}`);
        } else if (
          up !== name &&
          !upstream.spec.requestedFreight.some((r) => r.origin.kind === req.origin.kind && r.origin.name === req.origin.name)
        ) {
          c.add('Stage', name, path, `stage ${JSON.stringify(up)} does not request freight from ${req.origin.kind} ${JSON.stringify(req.origin.name)}`);
        }
      });
    });
    const template = stage.spec.promotionTemplate?.spec;
    if (template !== undefined) {
      c.vars('Stage', name, 'spec.promotionTemplate.spec.vars', template.vars);
      template.steps.forEach((step, i) => {
        const path = `spec.promotionTemplate.spec.steps[${i}]`;
        if (step.task === undefined) {
          c.step('Stage', name, path, step);
          return;
        }
        const kind = step.task.kind ?? 'PromotionTask';
        c.vars('Stage', name, `${path}.vars`, step.vars);
        const task = taskSpecs[kind].get(step.task.name);
        if (task === undefined) {
          c.add('Stage', name, `${path}.task.name`, `unknown ${kind} ${JSON.stringify(step.task.name)}`);
          return;
        }
        for (const missing of requiredTaskVars(stage, step, task.vars)) {
          c.add(
            'Stage',
            name,
            `${path}.vars`,
            `${kind} ${JSON.stringify(step.task.name)} requires var ${JSON.stringify(missing)}; set it here, in the template's vars or in the stage's vars`,
          );
        }
      });
    }
    (stage.spec.verification?.args ?? []).forEach((arg, i) => {
      c.template('Stage', name, `spec.verification.args[${i}].value`, arg.value);
    });
  }

  // ---- cycles
  for (const cycle of findCycles(stageGraph(specs.stages))) {
    const [start] = cycle;
    const from = cycle[cycle.length - 2];
    const stage = start !== undefined ? stagesByName.get(start) : undefined;
    if (start === undefined || from === undefined || stage === undefined) continue;
    let path = 'spec.requestedFreight';
    stage.spec.requestedFreight.forEach((req, i) => {
      const j = (req.sources.stages ?? []).indexOf(from);
      if (j >= 0 && path === 'spec.requestedFreight') path = `spec.requestedFreight[${i}].sources.stages[${j}]`;
    });
    c.add('Stage', start, path, `dependency cycle: ${cycle.join(' -> ')}`);
  }
  return c.issues;
}
