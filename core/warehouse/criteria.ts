/**
 * `freightCreationCriteria.expression`, evaluated as Kargo's `freightCreationCriteriaSatisfied`
 * (pkg/controller/warehouses/warehouses.go) does: a bare expression over the newest discovered
 * artifacts, compiled with `imageFrom(repoURL)`, `commitFrom(repoURL)`, `chartFrom(repoURL[, name])`
 * (pkg/expressions/function/functions.go, get*FromDiscoveredArtifacts) and run with no
 * environment, so any other name is an error. Freight is created only when it is true.
 */
import { ExpressionError, evaluateExpression, parseExpression, type ExpressionFunction } from '../expressions/index.js';
import { FunctionError } from '../expressions/errors.js';
import { parseGoBool } from '../expressions/go-strconv.js';
import { TimeValue } from '../expressions/time.js';
import { goQuote, goTypeName, isNil, makeStruct } from '../expressions/values.js';
import { normalizeChartURL, normalizeGitURL, normalizeImageRepo } from '../freight/normalize.js';
import { checkCriteriaExpression } from './criteria-check.js';
import type { DiscoveredArtifacts } from './discovered.js';

export type CriteriaOutcome = { ok: true; create: boolean } | { ok: false; reason: string };

/** A `*metav1.Time`: nil when absent. */
function timeOrNil(iso: string | undefined): TimeValue | null {
  if (iso === undefined) return null;
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? null : new TimeValue(ms);
}

function repoURLArgument(args: unknown[]): string {
  const [repoURL] = args;
  if (typeof repoURL !== 'string') throw new FunctionError(`first argument must be string, got ${goTypeName(repoURL)}`);
  return repoURL;
}

/** The functions, with Kargo's run-time checks (for arguments whose type expr cannot know). */
export function criteriaFunctions(found: DiscoveredArtifacts): Record<string, ExpressionFunction> {
  const subs = found.subscriptions;
  return {
    imageFrom: (...args) => {
      if (args.length !== 1) throw new FunctionError(`expected 1 argument, got ${args.length}`);
      const repoURL = normalizeImageRepo(repoURLArgument(args));
      const image = subs.find((s) => s.kind === 'image' && normalizeImageRepo(s.repoURL) === repoURL && (s.images?.length ?? 0) > 0)
        ?.images?.[0];
      if (image === undefined) return null;
      return makeStruct(
        { tag: image.tag, digest: image.digest, annotations: image.annotations ?? {}, createdAt: timeOrNil(image.createdAt) },
        { Tag: 'tag', Digest: 'digest', Annotations: 'annotations', CreatedAt: 'createdAt' },
      );
    },
    commitFrom: (...args) => {
      if (args.length !== 1) throw new FunctionError(`expected 1 argument, got ${args.length}`);
      const repoURL = normalizeGitURL(repoURLArgument(args));
      const commit = subs.find((s) => s.kind === 'git' && normalizeGitURL(s.repoURL) === repoURL && (s.commits?.length ?? 0) > 0)
        ?.commits?.[0];
      if (commit === undefined) return null;
      return makeStruct(
        {
          id: commit.id,
          branch: commit.branch ?? '',
          tag: commit.tag ?? '',
          subject: commit.subject ?? '',
          author: commit.author ?? '',
          committer: commit.committer ?? '',
          creatorDate: timeOrNil(commit.creatorDate),
        },
        { ID: 'id', Branch: 'branch', Tag: 'tag', Subject: 'subject', Author: 'author', Committer: 'committer', CreatorDate: 'creatorDate' },
      );
    },
    // The name, when given, must match; omitted, the first chart of the repository is taken.
    chartFrom: (...args) => {
      if (args.length === 0 || args.length > 2) throw new FunctionError(`expected 1-2 arguments, got ${args.length}`);
      const repoURL = normalizeChartURL(repoURLArgument(args));
      let name = '';
      if (args.length === 2) {
        if (typeof args[1] !== 'string') throw new FunctionError(`second argument must be string, got ${goTypeName(args[1])}`);
        name = args[1];
      }
      const sub = subs.find(
        (s) =>
          s.kind === 'chart' &&
          normalizeChartURL(s.repoURL) === repoURL &&
          (name === '' || (s.name ?? '') === name) &&
          (s.versions?.length ?? 0) > 0,
      );
      if (sub === undefined) return null;
      return makeStruct(
        { repoURL, name: sub.name ?? '', version: sub.versions?.[0] ?? '', subscriptionName: '' },
        { RepoURL: 'repoURL', Name: 'name', Version: 'version', SubscriptionName: 'subscriptionName' },
      );
    },
    // Kargo reads the generic subscriptions' results; Shunt, like Kargo's open-source build,
    // has no generic subscription (refused at apply), so no name has any: nil.
    artifactFrom: (...args: unknown[]) => {
      if (args.length !== 1) throw new FunctionError(`artifactFrom: expected 1 argument, got ${args.length}`);
      if (typeof args[0] !== 'string') throw new FunctionError(`artifactFrom: first argument must be string, got ${goTypeName(args[0])}`);
      return null;
    },
  };
}

/** Go's `fmt.Sprintf("%v", v)` for what a criteria expression can return. */
function goFormat(v: unknown): string {
  if (isNil(v)) return '<nil>';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return JSON.stringify(v) ?? String(v);
}

/** Kargo's result rule: a bool, or anything whose `%v` text strconv.ParseBool accepts ("1", "True"…). */
function toCreate(value: unknown): CriteriaOutcome {
  if (typeof value === 'boolean') return { ok: true, create: value };
  const text = goFormat(value);
  const parsed = parseGoBool(text);
  if (parsed !== undefined) return { ok: true, create: parsed };
  return {
    ok: false,
    reason:
      `freightCreationCriteria.expression: failed to parse freight creation criteria expression result ${goQuote(text)} ` +
      `as bool: strconv.ParseBool: parsing ${goQuote(text)}: invalid syntax`,
  };
}

/**
 * Whether the criteria allow creating Freight from these artifacts: yes without an expression
 * or when nothing was discovered (Kargo evaluates nothing then).
 */
export function freightCreationCriteriaSatisfied(expression: string | undefined, found: DiscoveredArtifacts): CriteriaOutcome {
  const source = expression?.trim() ?? '';
  if (source === '' || found.subscriptions.length === 0) return { ok: true, create: true };
  const failed = (stage: 'compiling' | 'running', err: unknown): CriteriaOutcome => {
    if (!(err instanceof ExpressionError)) throw err;
    return { ok: false, reason: `freightCreationCriteria.expression: error ${stage} expression: ${err.message}` };
  };
  try {
    const issue = checkCriteriaExpression(parseExpression(source));
    if (issue !== undefined) throw new ExpressionError(issue.message, source, issue.position);
  } catch (err) {
    return failed('compiling', err);
  }
  let value: unknown;
  try {
    value = evaluateExpression(source, { variables: {}, functions: criteriaFunctions(found), root: { value: null } });
  } catch (err) {
    return failed('running', err);
  }
  return toCreate(value);
}
