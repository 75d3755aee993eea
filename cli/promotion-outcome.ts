import type { PromotionObject, StepExecution } from './client.js';

export const TERMINAL_PHASES = ['Succeeded', 'Failed', 'Errored', 'Aborted'] as const;
export type TerminalPhase = (typeof TERMINAL_PHASES)[number];

export function isTerminalPhase(phase: string): phase is TerminalPhase {
  return (TERMINAL_PHASES as readonly string[]).includes(phase);
}

const FAILED_STEP_STATUSES = ['Failed', 'Errored', 'Aborted'];

const VERB: Record<string, string> = { Failed: 'failed', Errored: 'errored', Aborted: 'was aborted' };

/**
 * One line saying how a promotion that did not succeed ended: which step failed and with what
 * message (from `stepExecutionMetadata`, else `status.message`).
 */
export function describeFailure(promotion: PromotionObject): string {
  const { phase, message } = promotion.status;
  const verb = VERB[phase] ?? `ended ${phase}`;
  const step = failedStep(promotion);
  const why = step?.message ?? message;
  const where = step === undefined ? '' : ` at step "${step.alias}"${step.uses ? ` (${step.uses})` : ''}`;
  return `promotion ${promotion.metadata.name} ${verb}${where}${why === undefined || why === '' ? '' : `: ${why}`}`;
}

function failedStep(promotion: PromotionObject): StepExecution | undefined {
  const steps = promotion.status.stepExecutionMetadata ?? [];
  const failed = [...steps].reverse().find((s) => FAILED_STEP_STATUSES.includes(s.status));
  if (failed !== undefined) return failed;
  const current = promotion.status.currentStep;
  return current === undefined ? undefined : steps[current];
}
