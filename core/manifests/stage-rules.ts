/**
 * The rules inside one Stage spec that its schema's field types cannot express (stage.ts is the
 * schema): plain functions, which core/pipeline and the project workflow apply without it.
 */
import { type LocalIssue, under } from './issues.js';
import { type StepFields, templateStepIssues } from './step-rules.js';

/** The fields of a Stage spec the rules read (stage.ts StageSpec is the whole spec). */
export interface StageRuleFields {
  requestedFreight: readonly {
    origin: { kind: string; name: string };
    sources: { direct?: boolean | undefined; stages?: readonly string[] | undefined; autoPromotionOptions?: { selectionPolicy?: string | undefined } | undefined };
  }[];
  promotionTemplate?: { spec: { steps: readonly StepFields[] } } | undefined;
}

/**
 * Rules inside one Stage spec that the schema's field types cannot express. Paths are
 * relative to `spec`. Also used by core/pipeline on specs that did not come from YAML.
 */
export function stageSpecIssues(spec: StageRuleFields): LocalIssue[] {
  const issues: LocalIssue[] = [];
  const origins = new Map<string, number>();
  spec.requestedFreight.forEach((req, i) => {
    const at = ['requestedFreight', i];
    const key = `${req.origin.kind}/${req.origin.name}`;
    const first = origins.get(key);
    if (first !== undefined) {
      issues.push({
        path: [...at, 'origin'],
        message: `${req.origin.kind} ${JSON.stringify(req.origin.name)} is already requested at requestedFreight[${first}]`,
      });
    } else origins.set(key, i);

    const src = req.sources;
    const upstream = src.stages ?? [];
    if (src.direct !== true && upstream.length === 0) {
      issues.push({ path: [...at, 'sources'], message: 'expected direct: true or at least one upstream stage' });
    }
    const seen = new Set<string>();
    upstream.forEach((name, j) => {
      if (seen.has(name)) {
        issues.push({ path: [...at, 'sources', 'stages', j], message: `stage ${JSON.stringify(name)} is listed twice` });
      }
      seen.add(name);
    });
    if (
      src.autoPromotionOptions?.selectionPolicy === 'MatchUpstream' &&
      (src.direct === true || upstream.length !== 1)
    ) {
      issues.push({
        path: [...at, 'sources', 'autoPromotionOptions', 'selectionPolicy'],
        message: 'MatchUpstream requires direct: false and exactly one upstream stage',
      });
    }
  });
  const steps = spec.promotionTemplate?.spec.steps;
  if (steps !== undefined) issues.push(...under(['promotionTemplate', 'spec', 'steps'], templateStepIssues(steps)));
  return issues;
}

