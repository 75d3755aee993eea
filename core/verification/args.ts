/**
 * Argo Rollouts' `{{args.NAME}}` placeholders: a template's declared args take their values from
 * the stage's `verification.args` (or their own default), and are substituted into every string
 * of each metric before it is measured.
 */
import type { AnalysisMetric, AnalysisTemplate } from '../model.js';

const PLACEHOLDER = /\{\{\s*args\.([\w.-]+)\s*\}\}/g;

/** The values of every arg the templates declare; an issue for each one that has none. */
export function resolveArgs(
  templates: readonly AnalysisTemplate[],
  given: readonly { name: string; value: string }[],
): { values: Record<string, string>; issues: string[] } {
  const values: Record<string, string> = {};
  const issues: string[] = [];
  const byName = new Map(given.map((a) => [a.name, a.value]));
  for (const t of templates) {
    for (const arg of t.spec.args ?? []) {
      const value = byName.get(arg.name) ?? arg.value;
      if (value === undefined) issues.push(`AnalysisTemplate ${t.metadata.name}: argument "${arg.name}" has no value: set it in the stage's verification.args`);
      else values[arg.name] = value;
    }
  }
  for (const a of given) {
    if (!templates.some((t) => (t.spec.args ?? []).some((d) => d.name === a.name))) {
      issues.push(`verification.args: argument "${a.name}" is not declared by any of the stage's analysis templates`);
    }
  }
  return { values, issues };
}

/** The metric with every `{{args.X}}` replaced; placeholders of unknown args are left as they are. */
export function substituteArgs(metric: AnalysisMetric, values: Record<string, string>): AnalysisMetric {
  return walk(metric, values) as AnalysisMetric;
}

function walk(value: unknown, values: Record<string, string>): unknown {
  if (typeof value === 'string') return value.replace(PLACEHOLDER, (whole, name: string) => values[name] ?? whole);
  if (Array.isArray(value)) return value.map((v) => walk(v, values));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, walk(v, values)]));
  }
  return value;
}
