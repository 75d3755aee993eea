/**
 * Kargo's expression function library (pkg/expressions/function/functions.go) over injected data:
 * core does no I/O, so secrets, config maps and metadata come in as lookup callbacks.
 */
import { failsPromotion, type FreightCollection } from '../promotion/types.js';
import { tryVersion } from '../semver/version.js';
import { FunctionError } from './errors.js';
import type { ExpressionFunction } from './evaluate.js';
import { freightFunctions } from './freight-functions.js';
import { SemverValue } from './semver-value.js';
import { TEMPLATE_FUNCTIONS } from './template-functions.js';
import { typeName } from './values.js';

export interface StepStatusEntry {
  /** Full alias; steps inflated from a task are `<taskAlias>::<alias>`. */
  alias: string;
  /** Kargo step status: Succeeded, Failed, Errored, Skipped, Aborted, Running... */
  status: string;
  continueOnError: boolean;
}

export interface KargoFunctionOptions {
  /** The freight the promotion carries, one item per origin (`Warehouse/<name>`). */
  freight?: FreightCollection;
  /** Warehouses the stage requests; imageFrom/commitFrom/chartFrom without an origin search these. */
  requestedOrigins?: string[];
  /** Earlier steps of the promotion, in order, for success() failure() always() status(). */
  stepStatuses?: StepStatusEntry[];
  /** Set inside a task: `status('x')` looks up `<taskAlias>::x` only (top-level steps: top-level `x` only). */
  taskAlias?: string;
  /** `secret(name)`: the Secret's data; unknown (undefined) or no callback gives `{}`. */
  secrets?: (name: string) => Record<string, string> | undefined;
  /** `configMap(name)`: the ConfigMap's data; unknown (undefined) or no callback gives `{}`. */
  configMaps?: (name: string) => Record<string, string> | undefined;
  /** `freightMetadata(name)`: a Freight's `status.metadata`; unknown (undefined) gives nil. */
  freightMetadata?: (freightName: string) => Record<string, unknown> | undefined;
  /** `sharedSecret(name)`: a shared generic Secret's data; unknown (undefined) or no callback gives `{}`. */
  sharedSecrets?: (name: string) => Record<string, string> | undefined;
  /** `sharedConfigMap(name)`: a shared ConfigMap's data; unknown (undefined) or no callback gives `{}`. */
  sharedConfigMaps?: (name: string) => Record<string, string> | undefined;
  /** `freightStatus(name)`: a Freight's whole status (currentlyIn, verifiedIn, approvedFor, metadata); unknown gives nil. */
  freightStatus?: (freightName: string) => Record<string, unknown> | undefined;
  /** `stageMetadata(name)`: a Stage's `status.metadata`; unknown (undefined) gives nil. */
  stageMetadata?: (stageName: string) => Record<string, unknown> | undefined;
}

const TASK_SEPARATOR = '::';

function oneString(fn: string, args: unknown[], allowEmpty = true): string {
  if (args.length !== 1) throw new FunctionError(`${fn}: expected 1 argument, got ${args.length}`);
  const v = args[0];
  if (typeof v !== 'string') throw new FunctionError(`${fn}: argument must be string, got ${typeName(v)}`);
  if (!allowEmpty && v === '') throw new FunctionError(`${fn}: argument must not be empty`);
  return v;
}

function noArgs(fn: string, args: unknown[]): void {
  if (args.length !== 0) throw new FunctionError(`${fn}: expected 0 arguments, got ${args.length}`);
}

/** failure(): any earlier step not marked continueOnError ended Failed or Errored. */
export function hasFailure(steps: readonly StepStatusEntry[]): boolean {
  return steps.some(failsPromotion);
}

/** An alias's task namespace and short alias: `task-1::push` → ['task-1', 'push']; 'push' → ['', 'push']. */
function splitAlias(alias: string): [string, string] {
  const parts = alias.split(TASK_SEPARATOR);
  return parts.length === 2 ? [parts[0] as string, parts[1] as string] : ['', alias];
}

/**
 * status(alias): the status of the earlier step with that short alias in the caller's own
 * namespace, as Kargo's getStatus does: a step inflated from a task sees only the steps of its
 * task (`status('push')` finds `<taskAlias>::push`), a top-level step only top-level steps.
 * Unknown steps give "".
 */
export function stepStatus(steps: readonly StepStatusEntry[], alias: string, taskAlias?: string): string {
  const namespace = taskAlias ?? '';
  for (const step of steps) {
    const [stepNamespace, shortAlias] = splitAlias(step.alias);
    if (stepNamespace === namespace && shortAlias === alias) return step.status;
  }
  return '';
}

/** semverDiff(a, b): the most significant differing part; Incomparable if either is invalid. */
export function semverDiff(a: string, b: string): string {
  const va = tryVersion(a);
  const vb = tryVersion(b);
  if (va === undefined || vb === undefined) return 'Incomparable';
  if (va.major !== vb.major) return 'Major';
  if (va.minor !== vb.minor) return 'Minor';
  if (va.patch !== vb.patch) return 'Patch';
  // Like Kargo (and Masterminds), a prerelease-only difference counts as None.
  if (va.metadata !== vb.metadata) return 'Metadata';
  return 'None';
}

/**
 * Every Kargo function, bound to one evaluation's data. Pass the result as `env.functions`.
 * quote/unsafeQuote/asJSON/asYAML are included too (renderString adds them on its own anyway).
 */
export function kargoFunctions(opts: KargoFunctionOptions): Record<string, ExpressionFunction> {
  const steps = opts.stepStatuses ?? [];
  return {
    ...TEMPLATE_FUNCTIONS,
    ...freightFunctions({
      ...(opts.freight === undefined ? {} : { freight: opts.freight }),
      ...(opts.requestedOrigins === undefined ? {} : { requestedOrigins: opts.requestedOrigins }),
    }),
    secret: (...args) => ({ ...(opts.secrets?.(oneString('secret', args)) ?? {}) }),
    configMap: (...args) => ({ ...(opts.configMaps?.(oneString('configMap', args)) ?? {}) }),
    sharedSecret: (...args) => ({ ...(opts.sharedSecrets?.(oneString('sharedSecret', args)) ?? {}) }),
    sharedConfigMap: (...args) => ({ ...(opts.sharedConfigMaps?.(oneString('sharedConfigMap', args)) ?? {}) }),
    freightStatus: (...args) => opts.freightStatus?.(oneString('freightStatus', args, false)) ?? null,
    freightMetadata: (...args) => opts.freightMetadata?.(oneString('freightMetadata', args, false)) ?? null,
    stageMetadata: (...args) => opts.stageMetadata?.(oneString('stageMetadata', args, false)) ?? null,
    semverParse: (...args) => SemverValue.parse(oneString('semverParse', args)),
    semverDiff: (...args) => {
      if (args.length !== 2) throw new FunctionError(`semverDiff: expected 2 arguments, got ${args.length}`);
      const [a, b] = args;
      if (typeof a !== 'string') throw new FunctionError(`semverDiff: first argument must be string, got ${typeName(a)}`);
      if (typeof b !== 'string') throw new FunctionError(`semverDiff: second argument must be string, got ${typeName(b)}`);
      return semverDiff(a, b);
    },
    always: (...args) => (noArgs('always', args), true),
    failure: (...args) => (noArgs('failure', args), hasFailure(steps)),
    success: (...args) => (noArgs('success', args), !hasFailure(steps)),
    status: (...args) => stepStatus(steps, oneString('status', args, false), opts.taskAlias),
  };
}
