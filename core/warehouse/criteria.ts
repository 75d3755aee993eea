/**
 * `freightCreationCriteria.expression`: a bare expression over the newest discovered artifacts
 * (Kargo: `imageFrom(url)`, `commitFrom(url)`, `chartFrom(url[, name])` read element [0] of the
 * matching subscription). Freight is created only when it is true.
 */
import { evaluateExpression, type ExpressionFunction } from '../expressions/index.js';
import { FunctionError } from '../expressions/errors.js';
import { makeStruct, typeName } from '../expressions/values.js';
import { normalizeChartURL, normalizeGitURL } from '../freight/normalize.js';
import type { DiscoveredArtifacts } from './discovered.js';

function criteriaFunctions(found: DiscoveredArtifacts): Record<string, ExpressionFunction> {
  const subs = found.subscriptions;
  return {
    imageFrom: (url: unknown) => {
      const d = subs.find((s) => s.kind === 'image' && s.repoURL === url);
      const img = d?.images?.[0];
      if (!d || !img) return null;
      return makeStruct(
        { repoURL: d.repoURL, tag: img.tag, digest: img.digest, annotations: img.annotations ?? {}, createdAt: img.createdAt ?? '' },
        { RepoURL: 'repoURL', Tag: 'tag', Digest: 'digest', Annotations: 'annotations', CreatedAt: 'createdAt' },
      );
    },
    commitFrom: (url: unknown) => {
      const want = normalizeGitURL(String(url));
      const d = subs.find((s) => s.kind === 'git' && normalizeGitURL(s.repoURL) === want);
      const c = d?.commits?.[0];
      if (!d || !c) return null;
      return makeStruct(
        {
          repoURL: d.repoURL,
          id: c.id,
          branch: c.branch ?? '',
          tag: c.tag ?? '',
          subject: c.subject ?? '',
          author: c.author ?? '',
          committer: c.committer ?? '',
          creatorDate: c.creatorDate ?? '',
        },
        { RepoURL: 'repoURL', ID: 'id', Branch: 'branch', Tag: 'tag', Subject: 'subject', Author: 'author', Committer: 'committer', CreatorDate: 'creatorDate' },
      );
    },
    chartFrom: (url: unknown, name?: unknown) => {
      const want = normalizeChartURL(String(url));
      const d = subs.find(
        (s) => s.kind === 'chart' && normalizeChartURL(s.repoURL) === want && (name === undefined || (s.name ?? '') === name),
      );
      const v = d?.versions?.[0];
      if (!d || !v) return null;
      return makeStruct({ repoURL: d.repoURL, name: d.name ?? '', version: v }, { RepoURL: 'repoURL', Name: 'name', Version: 'version' });
    },
    // Kargo reads the generic subscriptions' results; Shunt, like Kargo's open-source build,
    // has no generic subscription (refused at apply), so no name has any: nil.
    artifactFrom: (...args: unknown[]) => {
      if (args.length !== 1) throw new FunctionError(`artifactFrom: expected 1 argument, got ${args.length}`);
      if (typeof args[0] !== 'string') throw new FunctionError(`artifactFrom: first argument must be string, got ${typeName(args[0])}`);
      return null;
    },
  };
}

export type CriteriaOutcome = { ok: true; create: boolean } | { ok: false; reason: string };

/** Whether the criteria allow creating Freight from these artifacts; no expression = yes. */
export function freightCreationCriteriaSatisfied(expression: string | undefined, found: DiscoveredArtifacts): CriteriaOutcome {
  if (expression === undefined || expression.trim() === '') return { ok: true, create: true };
  let value: unknown;
  try {
    value = evaluateExpression(expression, { variables: {}, functions: criteriaFunctions(found) });
  } catch (e) {
    return { ok: false, reason: `freightCreationCriteria.expression: ${(e as Error).message}` };
  }
  if (typeof value === 'boolean') return { ok: true, create: value };
  if (value === 'true' || value === 'false') return { ok: true, create: value === 'true' };
  return { ok: false, reason: `freightCreationCriteria.expression: must evaluate to a boolean, got ${JSON.stringify(value)}` };
}
