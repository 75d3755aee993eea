/**
 * `${{ }}` expressions in a stage's `verification.args`, evaluated as Kargo's AnalysisRun builder
 * does (pkg/rollouts/analysis_run_builder.go, buildArgs): the stage's `vars` first, in order, each
 * seeing `ctx` and the vars before it; then each arg with a non-empty value, which must come out a
 * string. Variables: `ctx.project`, `ctx.stage`, `vars`. Functions: the freight functions over the
 * freight collection being verified (warehouse, imageFrom, commitFrom, chartFrom, artifactFrom),
 * semverDiff / semverParse, and the data functions (secret, configMap, …) through whatever
 * lookups the caller passes (none in the workflow: there they give `{}` / nil, see
 * {@link DATA_FUNCTIONS}).
 */
import { kargoFunctions, renderString, type KargoFunctionOptions } from '../expressions/index.js';
import { typeName } from '../expressions/values.js';
import type { ExpressionVariable } from '../model.js';
import type { FreightCollection } from '../promotion/types.js';

export interface VerificationArg {
  name: string;
  value: string;
}

export interface ArgExpressionEnv {
  project: string;
  stage: string;
  /** The stage's `spec.vars`. */
  vars?: readonly ExpressionVariable[];
  /** The freight collection verified. */
  freight?: FreightCollection;
  /** Warehouses the stage requests (where imageFrom & co. look without an origin). */
  requestedOrigins?: string[];
}

/** Functions that read data outside the expression (I/O in Kargo); dataFunctionCalled's pattern lists the same. */
export const DATA_FUNCTIONS = ['secret', 'sharedSecret', 'configMap', 'sharedConfigMap', 'freightMetadata', 'freightStatus', 'stageMetadata'] as const;

/** Why an arg or var could not be evaluated; `what` is `args[i] "name"` or `vars "name"`. */
export class ArgExpressionError extends Error {
  constructor(
    readonly what: string,
    message: string,
  ) {
    super(`verification ${what}: ${message}`);
    this.name = 'ArgExpressionError';
  }
}

/** Whether any arg, or any stage var, holds an expression (else the args are used as written). */
export function argsUseExpressions(args: readonly VerificationArg[], vars: readonly ExpressionVariable[] = []): boolean {
  return [...args.map((a) => a.value), ...vars.map((v) => v.value ?? '')].some((v) => v.includes('${{'));
}

/**
 * The args with their expressions evaluated. An arg with an empty value is left out (Kargo leaves
 * it unset, so the template's own value applies).
 * @throws ArgExpressionError naming the var or arg whose expression failed or is not a string.
 */
export function evaluateVerificationArgs(
  args: readonly VerificationArg[],
  env: ArgExpressionEnv,
  data: Pick<KargoFunctionOptions, 'secrets' | 'sharedSecrets' | 'configMaps' | 'sharedConfigMaps' | 'freightMetadata' | 'freightStatus' | 'stageMetadata'> = {},
): VerificationArg[] {
  const all = kargoFunctions({
    ...(env.freight !== undefined ? { freight: env.freight } : {}),
    ...(env.requestedOrigins !== undefined ? { requestedOrigins: env.requestedOrigins } : {}),
    ...data,
  });
  // Kargo's verification environment has no step-status functions.
  const { always: _a, failure: _f, success: _s, status: _st, ...functions } = all;
  const vars: Record<string, unknown> = {};
  const variables = { ctx: { project: env.project, stage: env.stage }, vars };
  for (const v of env.vars ?? []) {
    try {
      vars[v.name] = renderString(v.value ?? '', { variables, functions });
    } catch (err) {
      throw new ArgExpressionError(`vars "${v.name}"`, (err as Error).message);
    }
  }
  const out: VerificationArg[] = [];
  args.forEach((arg, i) => {
    if (arg.value === '') return;
    let value: unknown;
    try {
      value = renderString(arg.value, { variables, functions });
    } catch (err) {
      throw new ArgExpressionError(`args[${i}] "${arg.name}"`, (err as Error).message);
    }
    if (typeof value !== 'string') {
      throw new ArgExpressionError(`args[${i}] "${arg.name}"`, `the value is not a string but ${typeName(value)}; use quote(…) to make it one`);
    }
    out.push({ name: arg.name, value });
  });
  return out;
}

export type NativeArgValues = { ok: true; args: VerificationArg[] } | { ok: false; message: string };

/**
 * The args for a native analysis (no cluster), evaluated inside the verification workflow: the
 * data functions are refused there, as what they read (a Secret's value) would be kept in the
 * workflow's history. Args without expressions come back as they are.
 */
export function nativeArgValues(args: readonly VerificationArg[], env: ArgExpressionEnv): NativeArgValues {
  if (!argsUseExpressions(args, env.vars)) return { ok: true, args: [...args] };
  const reads = dataFunctionCalled(args, env.vars ?? []);
  if (reads !== undefined) {
    return {
      ok: false,
      message:
        `verification args: ${reads}() can be used only when Argo Rollouts runs the analysis in a cluster: ` +
        'Shunt evaluates the args of a native analysis inside its workflow, whose history would keep what it reads',
    };
  }
  try {
    return { ok: true, args: evaluateVerificationArgs(args, env) };
  } catch (err) {
    if (err instanceof ArgExpressionError) return { ok: false, message: err.message };
    throw err;
  }
}

function dataFunctionCalled(args: readonly VerificationArg[], vars: readonly ExpressionVariable[]): string | undefined {
  const call = /\b(secret|sharedSecret|configMap|sharedConfigMap|freightMetadata|freightStatus|stageMetadata)\s*\(/;
  for (const v of [...vars.map((x) => x.value ?? ''), ...args.map((a) => a.value)]) {
    if (!v.includes('${{')) continue;
    const m = call.exec(v);
    if (m) return m[1];
  }
  return undefined;
}

/** Kargo's label naming the stage on its AnalysisRuns. */
export const STAGE_LABEL = 'kargo.akuity.io/stage';

/**
 * The AnalysisRun's labels and annotations: the stage's `analysisRunMetadata`, then Kargo's own
 * labels over them (as Kargo's builder copies its extra labels last).
 */
export function analysisRunMetadata(
  stage: string,
  metadata: { labels?: Record<string, string>; annotations?: Record<string, string> } | undefined,
): { labels: Record<string, string>; annotations?: Record<string, string> } {
  const annotations = metadata?.annotations ?? {};
  return {
    labels: { ...(metadata?.labels ?? {}), [STAGE_LABEL]: stage },
    ...(Object.keys(annotations).length > 0 ? { annotations: { ...annotations } } : {}),
  };
}
