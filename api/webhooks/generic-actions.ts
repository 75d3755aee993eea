/**
 * Kargo's generic receiver actions (generic.go, generic_actions.go, list.go): each action runs
 * when its `whenExpression` (expr-lang, over `request.{body,header(),headers(),params()}`,
 * `params` and `normalizeGit/Image/Chart()`) is true or empty, and refreshes the targets its
 * `targetSelectionCriteria` select: by `name`, `labelSelector` and the `subscribedURLs` index,
 * each value a `${{ }}` template that must render to a string. Every action gets a result
 * (`NotApplicable`, `Success`, `PartialSuccess`, `Failure`, `Error`); any of the last three makes
 * the call answer 500, as in Kargo.
 *
 * Promotions are selected as Kargo does but not woken: Shunt's waiting steps poll on their own
 * schedule, so they are reported with `success: false` and why, and count as not applicable.
 */
import { evaluateExpression, ExpressionBudget, renderString, type ExpressionEnv } from '../../core/expressions/index.js';
import { normalizeChartURL, normalizeGitURL, normalizeImageRepo } from '../../core/freight/normalize.js';
import type { GenericTargetSelection, GenericWebhookAction } from '../../core/manifests/webhook-receiver.js';
import type { Warehouse } from '../../core/model.js';
import type { ProjectState } from '../../core/project/state.js';

export type ActionResultKind = 'NotApplicable' | 'Error' | 'Success' | 'PartialSuccess' | 'Failure';

export interface SelectedTarget {
  namespace: string;
  name: string;
  kind: 'Warehouse' | 'Promotion';
  success: boolean;
  /** Why a target was not refreshed. */
  message?: string;
}

export interface ActionResult extends GenericWebhookAction {
  matchedWhenExpression: boolean;
  selectedTargets?: SelectedTarget[];
  result: ActionResultKind;
  summary: string;
  /** The error behind an `Error` result. */
  error?: string;
}

/** What the expressions see of the call. */
export interface GenericRequest {
  body: unknown;
  header(name: string): string;
  headers(name: string): string[];
  params(name: string): string;
}

export type RefreshWarehouse = (project: string, warehouse: string) => Promise<void>;

const PROMOTION_NOT_WOKEN = "not woken: Shunt's waiting steps (git-wait-for-pr, http) poll on their own schedule";

function baseEnv(request: GenericRequest, parameters: Record<string, string> | undefined): ExpressionEnv {
  return {
    variables: {
      request: { body: request.body, header: request.header, headers: request.headers, params: request.params },
      params: { ...(parameters ?? {}) },
    },
    functions: {
      normalizeGit: (u: unknown) => normalizeGitURL(String(u ?? '')),
      normalizeImage: (u: unknown) => normalizeImageRepo(String(u ?? '')),
      normalizeChart: (u: unknown) => normalizeChartURL(String(u ?? '')),
    },
    budget: new ExpressionBudget(),
  };
}

function whenExpressionMet(expression: string | undefined, env: ExpressionEnv): boolean {
  if (!expression) return true;
  const result = evaluateExpression(expression, env);
  if (typeof result !== 'boolean') throw new Error(`match expression result ${JSON.stringify(result)} is of type ${result === null ? 'nil' : typeof result}; expected bool`);
  return result;
}

function evalAsString(template: string, env: ExpressionEnv): string {
  const value = renderString(template, env);
  if (typeof value !== 'string') throw new Error(`expression result ${JSON.stringify(value)} evaluated to ${value === null ? 'nil' : typeof value}; not a string`);
  return value;
}

/** Kargo's WarehousesBySubscribedURLs index: each subscription's URL, normalized for its kind. */
function subscribedURLs(w: Warehouse): string[] {
  return w.spec.subscriptions.flatMap((s) => [
    ...(s.git ? [normalizeGitURL(s.git.repoURL)] : []),
    ...(s.image ? [normalizeImageRepo(s.image.repoURL)] : []),
    ...(s.chart ? [normalizeChartURL(s.chart.repoURL)] : []),
  ]);
}

function labelsMatch(labels: Record<string, string>, sel: NonNullable<GenericTargetSelection['labelSelector']>, env: ExpressionEnv): boolean {
  for (const [k, v] of Object.entries(sel.matchLabels ?? {})) if (labels[k] !== evalAsString(v, env)) return false;
  for (const e of sel.matchExpressions ?? []) {
    const has = Object.prototype.hasOwnProperty.call(labels, e.key);
    const values = (e.values ?? []).map((v) => evalAsString(v, env));
    const ok =
      e.operator === 'In' ? has && values.includes(labels[e.key]!)
      : e.operator === 'NotIn' ? !has || !values.includes(labels[e.key]!)
      : e.operator === 'Exists' ? has
      : !has;
    if (!ok) return false;
  }
  return true;
}

interface Candidate {
  project: string;
  name: string;
  kind: 'Warehouse' | 'Promotion';
  labels: Record<string, string>;
  urls?: string[];
}

function candidates(projects: readonly ProjectState[], kind: 'Warehouse' | 'Promotion'): Candidate[] {
  return projects.flatMap((p): Candidate[] =>
    kind === 'Warehouse'
      ? Object.entries(p.specs.warehouses).map(([name, w]) => ({ project: p.project, name, kind, labels: w.metadata.labels ?? {}, urls: subscribedURLs(w) }))
      : p.promotions.filter((r) => r.phase === 'Running').map((r) => ({ project: p.project, name: r.name, kind, labels: {} })),
  );
}

/** The targets one criteria selects (throws on an expression or index problem). */
function select(projects: readonly ProjectState[], c: GenericTargetSelection, env: ExpressionEnv): Candidate[] {
  let out = candidates(projects, c.kind);
  for (const m of c.indexSelector?.matchIndices ?? []) {
    if (c.kind !== 'Warehouse') throw new Error(`index ${m.key} is not defined for ${c.kind}`);
    const value = evalAsString(m.value, env);
    out = out.filter((t) => (m.operator === 'Equals') === t.urls!.includes(value));
  }
  if (c.labelSelector) out = out.filter((t) => labelsMatch(t.labels, c.labelSelector!, env));
  if (c.name) {
    const name = evalAsString(c.name, env);
    out = out.filter((t) => t.name === name);
  }
  return out;
}

function resultOf(total: number, successes: number, failures: number): ActionResultKind {
  if (successes === total) return 'Success';
  if (failures === total) return 'Failure';
  return 'PartialSuccess';
}

async function runAction(action: GenericWebhookAction, request: GenericRequest, projects: readonly ProjectState[], refresh: RefreshWarehouse): Promise<ActionResult> {
  const env = baseEnv(request, action.parameters);
  const base = { ...action };
  let met: boolean;
  try {
    met = whenExpressionMet(action.whenExpression, env);
  } catch (err) {
    return { ...base, matchedWhenExpression: false, result: 'Error', summary: 'Error evaluating whenExpression', error: (err as Error).message };
  }
  if (!met) return { ...base, matchedWhenExpression: false, result: 'NotApplicable', summary: 'Request did not match whenExpression' };
  const selected = new Map<string, Candidate>();
  try {
    for (const c of action.targetSelectionCriteria ?? []) for (const t of select(projects, c, env)) selected.set(`${t.kind} ${t.project}/${t.name}`, t);
  } catch (err) {
    return { ...base, matchedWhenExpression: true, result: 'Error', summary: 'Error evaluating targetSelectionCriteria', error: (err as Error).message };
  }
  const targets = [...selected.values()].sort((a, b) => (a.project === b.project ? (a.name < b.name ? -1 : a.name > b.name ? 1 : 0) : a.project < b.project ? -1 : 1));
  const selectedTargets: SelectedTarget[] = [];
  let successes = 0;
  let failures = 0;
  for (const t of targets) {
    if (t.kind === 'Promotion') {
      selectedTargets.push({ namespace: t.project, name: t.name, kind: t.kind, success: false, message: PROMOTION_NOT_WOKEN });
      continue;
    }
    try {
      await refresh(t.project, t.name);
      successes++;
      selectedTargets.push({ namespace: t.project, name: t.name, kind: t.kind, success: true });
    } catch (err) {
      failures++;
      selectedTargets.push({ namespace: t.project, name: t.name, kind: t.kind, success: false, message: (err as Error).message });
    }
  }
  const warehouses = successes + failures;
  const woken = targets.length - warehouses;
  if (targets.length > 0 && warehouses === 0) {
    return { ...base, matchedWhenExpression: true, selectedTargets, result: 'NotApplicable', summary: `Selected ${woken} Promotion(s); ${PROMOTION_NOT_WOKEN}` };
  }
  return {
    ...base,
    matchedWhenExpression: true,
    ...(selectedTargets.length ? { selectedTargets } : {}),
    result: resultOf(warehouses, successes, failures),
    summary: `Refreshed ${successes} of ${warehouses} selected resources${woken ? ` (${woken} Promotion(s) ${PROMOTION_NOT_WOKEN})` : ''}`,
  };
}

/** Runs every action in order; `failed` when any is an Error, Failure or PartialSuccess (Kargo answers 500). */
export async function runGenericActions(
  actions: readonly GenericWebhookAction[],
  request: GenericRequest,
  projects: readonly ProjectState[],
  refresh: RefreshWarehouse,
): Promise<{ results: ActionResult[]; failed: boolean }> {
  const results: ActionResult[] = [];
  for (const action of actions) results.push(await runAction(action, request, projects, refresh));
  return { results, failed: results.some((r) => r.result === 'Error' || r.result === 'Failure' || r.result === 'PartialSuccess') };
}
