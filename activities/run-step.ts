/**
 * runStep: the activity the promotion workflow calls for each step (STYLE.md §2).
 *
 * Inside the activity, just before the step runs: decide whether to skip, evaluate vars, render
 * the config's `${{ }}` expressions, validate it against the step's schema, run the step. Only
 * the outcome (status, outputs, message) goes back to the workflow: the rendered config, which
 * may hold secrets, never leaves this function.
 */
import { ApplicationFailure } from '@temporalio/common';
import { DomainError } from '../core/errors.js';
import {
  evaluateExpression,
  ExpressionBudget,
  ExpressionError,
  kargoFunctions,
  renderTemplate,
  rewriteLegacyExpression,
  rewriteLegacyTemplate,
  type ExpressionEnv,
} from '../core/expressions/index.js';
import type { ExpressionVariable } from '../core/model.js';
import { checkPayloadSize, payloadNearLimit } from '../core/payload-budget.js';
import type { MetadataSnapshot, StepEffect } from '../core/project/effects.js';
import type { FreightStatusAnswer } from '../core/project/freight-status.js';
import { promotionContextOf, stepExpressionContext, type PromotionContext } from '../core/promotion/context.js';
import type { FreightReference, PlannedStep } from '../core/promotion/types.js';
import { WORKSPACE_GONE } from '../core/promotion/worker-loss.js';
import type { ArgoCDClient } from './adapters/argocd-client.js';
import type { ProjectCredentials } from './adapters/credentials.js';
import type { GitService } from './adapters/git/index.js';
import { openWorkspace } from './adapters/workspace.js';
import { ExpressionData, lookupsIn } from './expression-data.js';
import { derivedValues, readsSecrets, SecretMask } from './secret-mask.js';
import { getStep } from './steps/registry.js';
import type { StepContext, StepResult } from './steps/step.js';
import { isRecord } from '../core/record.js';

/** The promotion's context (core/promotion/context.ts) and the step to run in it. */
export interface RunStepInput extends PromotionContext {
  /** Directory name under the worker's work root. */
  workspaceKey: string;
  step: PlannedStep;
  /** Promotion-level vars (they see ctx and earlier vars only; no outputs). */
  promotionVars: ExpressionVariable[];
  /** State so far, by alias. */
  outputs: Record<string, Record<string, unknown>>;
  /** Earlier steps, in order. */
  statuses: { alias: string; status: string; continueOnError: boolean }[];
  /** Freight and stage metadata for freightMetadata() / stageMetadata() (set-metadata writes it). */
  metadata?: MetadataSnapshot;
}

export type RunStepOutcome =
  | { status: 'Succeeded' | 'Skipped'; output?: Record<string, unknown>; message?: string; effects?: StepEffect[] }
  | { status: 'Running'; retryAfter: string; output?: Record<string, unknown>; message?: string };

/** Minimal logger shape (pino-compatible). Never give it config values or outputs. */
export interface ActivityLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export interface RunStepDeps {
  /** `<dataDir>/work`: where workspaces live. */
  workRoot: string;
  git: GitService;
  /** The credentials a project's steps see: its namespace's, then the shared namespace's. */
  credentials: ProjectCredentials;
  logger?: ActivityLogger | undefined;
  /** Argo CD, when the worker has a Kubernetes or Argo CD connection. */
  argocd?: ArgoCDClient | undefined;
  /** How long one run of an Argo CD step watches before reporting Running. */
  argocdWaitMs?: number | undefined;
  /** Base URL of Shunt's web page (`SHUNT_UI_BASE_URL`), for `ctx.uiBaseUrl`; absent = ''. */
  uiBaseUrl?: string | undefined;
  /**
   * `freightStatus(name)`: asks the project workflow (a query, so nothing enters any history);
   * called only when a step's expressions use the function. Absent: the function gives nil.
   */
  freightStatus?: ((project: string, freight: string) => Promise<FreightStatusAnswer | undefined>) | undefined;
}

export interface RunStepHooks {
  heartbeat(details?: unknown): void;
  signal: AbortSignal;
}

const FAILED_STATUSES = new Set(['Failed', 'Errored']);

/**
 * An ExpressionError from core/expressions, by class or by shape (its `name` is not reliable:
 * depending on how the class fields are compiled it may read `DomainError`).
 */
function isExpressionError(err: unknown): err is Error & Record<string, unknown> {
  if (err instanceof ExpressionError) return true;
  if (!(err instanceof Error)) return false;
  const e = err as unknown as Record<string, unknown>;
  return e['code'] === 'InvalidExpression' && typeof e['detail'] === 'string' && typeof e['expression'] === 'string';
}

/** `config` + renderTemplate's path (`images[0].tag`, `["a.b"]`, or '') → `config.images[0].tag`. */
function configPath(path: string | undefined): string {
  if (!path) return 'config';
  return path.startsWith('[') ? `config${path}` : `config.${path}`;
}

/** Restates an ExpressionError as `step "<alias>": <where>: <detail> in `expr` (position N)`. */
function expressionFailure(alias: string, where: string, err: unknown): unknown {
  if (!isExpressionError(err)) return err;
  const detail = typeof err['detail'] === 'string' ? err['detail'] : err.message;
  const expression = typeof err['expression'] === 'string' ? ` in \`${err['expression']}\`` : '';
  const position = typeof err['position'] === 'number' ? ` (position ${err['position']})` : '';
  const code = err['code'] === 'BudgetExceeded' ? 'BudgetExceeded' : 'InvalidExpression';
  return new DomainError(code, `step ${JSON.stringify(alias)}: ${where}: ${detail}${expression}${position}`);
}

/** Zod issues → `config.images[0].tag: expected string, received number; config.path: required`. */
function describeIssues(issues: readonly { path: readonly PropertyKey[]; message: string; code?: string }[]): string[] {
  return issues.map((issue) => {
    let where = 'config';
    for (const seg of issue.path) {
      if (typeof seg === 'number') where += `[${seg}]`;
      else if (typeof seg === 'string' && /^[A-Za-z_][A-Za-z0-9_-]*$/.test(seg)) where += `.${seg}`;
      else where += `[${JSON.stringify(String(seg))}]`;
    }
    let message = issue.message.replace(/^Invalid input:\s*/, '');
    if (/received undefined$/.test(message)) message = 'required';
    return `${where}: ${message}`;
  });
}

function isDomainErrorLike(err: unknown): err is Error & { code: string } {
  return err instanceof Error && typeof (err as unknown as { code?: unknown }).code === 'string';
}

/** freightMetadata(alias): the metadata of the collection's freight with that alias. */
function metadataByAlias(input: RunStepInput, alias: string): Record<string, unknown> | undefined {
  const ref = Object.values(input.freight.items).find((r) => r.alias === alias);
  return ref ? input.metadata?.freight[ref.name] : undefined;
}

/** The freight reference being promoted, found in the collection. */
export function targetFreightReference(input: Pick<RunStepInput, 'freight' | 'targetFreight'>): FreightReference | undefined {
  const items = Object.values(input.freight.items);
  return (
    items.find((r) => r.name === input.targetFreight.name) ??
    input.freight.items[`Warehouse/${input.targetFreight.origin.name}`]
  );
}

/** Outputs of the same task, with the `<taskAlias>::` prefix stripped. */
function taskOutputs(
  outputs: Record<string, Record<string, unknown>>,
  taskAlias: string,
): Record<string, Record<string, unknown>> {
  const prefix = `${taskAlias}::`;
  const out: Record<string, Record<string, unknown>> = {};
  for (const [alias, value] of Object.entries(outputs)) {
    if (alias.startsWith(prefix)) out[alias.slice(prefix.length)] = value;
  }
  return out;
}

interface Evaluated {
  skip: boolean;
  config?: Record<string, unknown>;
}

/**
 * Runs one planned step. Throws DomainError for everything with a meaning (the activity wrapper
 * converts it with toApplicationFailure); any other error is transient.
 */
export async function runStep(deps: RunStepDeps, input: RunStepInput, hooks: RunStepHooks): Promise<RunStepOutcome> {
  const step = { ...input.step, if: input.step.if === undefined ? undefined : rewriteLegacyExpression(input.step.if), vars: rewriteLegacyTemplate(input.step.vars), config: rewriteLegacyTemplate(input.step.config) };
  const started = Date.now();
  const definition = getStep(step.uses);
  const credentials = deps.credentials.forProject(input.project);
  const data = new ExpressionData({
    secret: (name) => credentials.secret(name),
    sharedSecret: (name) => (credentials.sharedSecret ? credentials.sharedSecret(name) : credentials.secret(name)),
    configMap: async (name) => (await credentials.configMap?.(name)) ?? {},
    sharedConfigMap: async (name) => (await credentials.sharedConfigMap?.(name)) ?? {},
    freightStatus: async (name) => (deps.freightStatus ? deps.freightStatus(input.project, name) : undefined),
  });

  const ctxVar = stepExpressionContext(promotionContextOf(input), { uiBaseUrl: deps.uiBaseUrl ?? '' }, step.alias);
  const freightRef = targetFreightReference(input);
  const functions = kargoFunctions({
    freight: input.freight,
    requestedOrigins: input.requestedOrigins,
    stepStatuses: input.statuses,
    ...(step.taskAlias !== undefined ? { taskAlias: step.taskAlias } : {}),
    secrets: data.dataLookup('secret'),
    sharedSecrets: data.dataLookup('sharedSecret'),
    configMaps: data.dataLookup('configMap'),
    sharedConfigMaps: data.dataLookup('sharedConfigMap'),
    // The promotion's own metadata view (earlier set-metadata steps) wins over the project's state.
    freightStatus: data.freightStatusLookup(
      input.metadata ? (name) => (Object.keys(input.metadata?.freight[name] ?? {}).length > 0 ? input.metadata!.freight[name] : null) : undefined,
    ),
    freightMetadata: (name) => input.metadata?.freight[name] ?? (input.metadata ? metadataByAlias(input, name) : undefined),
    stageMetadata: (name) => input.metadata?.stages[name],
  });

  const evaluate = (): Evaluated => {
    // No `if`: skip iff an earlier step that counts has Failed or Errored (Kargo).
    if (step.if === undefined || step.if.trim() === '') {
      const failed = input.statuses.some((s) => !s.continueOnError && FAILED_STATUSES.has(s.status));
      if (failed) return { skip: true };
    }
    const vars: Record<string, unknown> = {};
    // One budget for all of the step's expressions, with the wall clock (activities only).
    const budget = new ExpressionBudget({ clock: Date.now });
    const promotionEnv: ExpressionEnv = {
      variables: { ctx: ctxVar, vars, secrets: data.secretsVariable() },
      functions,
      budget,
    };
    for (const v of input.promotionVars) {
      if (v.value === undefined) continue;
      try {
        vars[v.name] = renderTemplate(v.value, promotionEnv);
      } catch (err) {
        throw expressionFailure(step.alias, `vars.${v.name}`, err);
      }
    }
    const variables: Record<string, unknown> = {
      ctx: ctxVar,
      vars,
      outputs: input.outputs,
      secrets: data.secretsVariable(),
      freight: freightRef ?? null,
    };
    if (step.taskAlias !== undefined) variables['task'] = { outputs: taskOutputs(input.outputs, step.taskAlias) };
    const env: ExpressionEnv = { variables, functions, budget };
    for (const v of step.vars) {
      if (v.value === undefined) continue;
      try {
        vars[v.name] = renderTemplate(v.value, env);
      } catch (err) {
        throw expressionFailure(step.alias, `vars.${v.name}`, err);
      }
    }

    if (step.if !== undefined && step.if.trim() !== '') {
      let cond: unknown;
      try {
        cond = step.if.includes('${{') || step.if.includes('${%') ? renderTemplate(step.if, env) : evaluateExpression(step.if, env);
      } catch (err) {
        throw expressionFailure(step.alias, 'if', err);
      }
      if (typeof cond !== 'boolean') {
        throw new DomainError(
          'InvalidExpression',
          `step ${JSON.stringify(step.alias)}: if: must evaluate to a boolean, got ${cond === null ? 'null' : typeof cond}`,
        );
      }
      if (!cond) return { skip: true };
    }

    let rendered: unknown;
    try {
      rendered = renderTemplate(step.config ?? {}, env);
    } catch (err) {
      if (isExpressionError(err)) {
        throw expressionFailure(step.alias, configPath(typeof err['path'] === 'string' ? err['path'] : undefined), err);
      }
      throw err;
    }
    if (!isRecord(rendered)) {
      throw new DomainError('InvalidStepConfig', `step ${JSON.stringify(step.alias)}: config: expected an object`);
    }
    return { skip: false, config: rendered };
  };

  await data.preload(lookupsIn([step.if, step.vars, step.config, input.promotionVars]));
  let evaluated: Evaluated;
  try {
    evaluated = await data.evaluate(evaluate);
  } catch (err) {
    throw new SecretMask(data.secretValues()).error(err);
  }
  if (evaluated.skip) {
    deps.logger?.info({ alias: step.alias, kind: step.uses, status: 'Skipped' }, 'promotion step skipped');
    return { status: 'Skipped' };
  }

  // Everything this step shows is masked: Secret values, and config values computed from them.
  const varsTainted = readsSecrets([input.promotionVars.map((v) => v.value), step.vars.map((v) => v.value)], false);
  const mask = new SecretMask([...data.secretValues(), ...derivedValues(step.config ?? {}, evaluated.config, varsTainted)]);

  const parsed = definition.config.safeParse(evaluated.config);
  if (!parsed.success) {
    const problems = describeIssues(parsed.error.issues).map((p) => mask.text(p));
    throw new DomainError(
      'InvalidStepConfig',
      `step ${JSON.stringify(step.alias)} (${step.uses}): invalid config: ${problems.join('; ')}`,
      problems,
    );
  }

  const workspace = await openWorkspace(deps.workRoot, input.workspaceKey);
  if (!workspace) {
    // The worker started again and removed its earlier run's workspaces (or this is another
    // worker): the promotion starts its steps again in a new workspace (core/promotion/worker-loss.ts).
    throw ApplicationFailure.create({
      type: WORKSPACE_GONE,
      message: `workspace ${JSON.stringify(input.workspaceKey)} is not on this worker; the promotion must start again from its first step`,
      nonRetryable: true,
    });
  }

  const ctx: StepContext = {
    project: input.project,
    stage: input.stage,
    promotion: input.promotion,
    freight: input.freight,
    workspace,
    git: deps.git,
    credentials,
    outputs: input.outputs,
    heartbeat: (details?: unknown) => hooks.heartbeat(details),
    signal: hooks.signal,
    alias: step.alias,
    targetFreight: input.targetFreight,
    requestedOrigins: input.requestedOrigins,
    ...(deps.argocd ? { argocd: deps.argocd } : {}),
    ...(deps.argocdWaitMs !== undefined ? { argocdWaitMs: deps.argocdWaitMs } : {}),
  };

  let result: StepResult;
  try {
    result = await definition.run(ctx, parsed.data);
  } catch (err) {
    if (hooks.signal.aborted && hooks.signal.reason !== undefined) throw hooks.signal.reason;
    // Bare expressions a step evaluates itself (http, *-parse) name the step too.
    if (isExpressionError(err)) err = expressionFailure(step.alias, configPath(typeof err['path'] === 'string' ? err['path'].replace(/^config\.?/, '') : undefined), err);
    else if (isDomainErrorLike(err) && err.code === 'InvalidExpression' && !err.message.startsWith('step ')) {
      err = new DomainError('InvalidExpression', `step ${JSON.stringify(step.alias)}: ${err.message}`);
    }
    err = mask.error(err);
    deps.logger?.warn(
      { alias: step.alias, kind: step.uses, ms: Date.now() - started, error: err instanceof Error ? err.message : String(err) },
      'promotion step errored',
    );
    throw err;
  }

  const outcome: RunStepOutcome =
    result.status === 'Running'
      ? { status: 'Running', retryAfter: result.retryAfter }
      : { status: result.status };
  if (result.output !== undefined) outcome.output = mask.value(result.output);
  if (result.message !== undefined) outcome.message = mask.text(result.message);
  if (result.status !== 'Running' && result.effects !== undefined && result.effects.length > 0 && outcome.status !== 'Running') {
    outcome.effects = mask.value(result.effects);
  }
  // What goes back to Temporal, and the outputs every later step receives, must fit in a payload.
  checkPayloadSize(`step ${JSON.stringify(step.alias)}'s output`, outcome);
  checkPayloadSize(`the promotion's outputs with step ${JSON.stringify(step.alias)}'s`, { ...input.outputs, [step.alias]: outcome.output });
  if (payloadNearLimit(outcome)) deps.logger?.warn({ alias: step.alias, kind: step.uses }, 'promotion step output is over 512 KiB');
  deps.logger?.info({ alias: step.alias, kind: step.uses, status: outcome.status, ms: Date.now() - started }, 'promotion step done');
  return outcome;
}
