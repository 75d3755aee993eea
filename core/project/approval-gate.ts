import type { Stage } from '../model.js';

/**
 * Stage annotations (Kargo has no field for this; annotations keep the manifest a valid Kargo
 * Stage) that make every promotion into the stage wait for a person before its first step.
 */
export const REQUIRE_APPROVAL_ANNOTATION = 'shunt.dev/require-approval';
/** With `"true"`, the person who approves must not be the one who asked for the promotion. */
export const APPROVER_NOT_REQUESTER_ANNOTATION = 'shunt.dev/approver-not-requester';

export interface ApprovalGate {
  required: boolean;
  approverNotRequester: boolean;
}

export function stageApprovalGate(stage: Stage | undefined): ApprovalGate {
  const annotations = stage?.metadata.annotations ?? {};
  return {
    required: annotations[REQUIRE_APPROVAL_ANNOTATION] === 'true',
    approverNotRequester: annotations[APPROVER_NOT_REQUESTER_ANNOTATION] === 'true',
  };
}

/**
 * Why `actor` may not approve a promotion asked for by `requester` (undefined when they may).
 * Anonymous callers cannot satisfy the rule: nobody could tell them apart from the requester.
 */
export function approverIssue(
  gate: { approverNotRequester?: boolean },
  requester: string | undefined,
  actor: string | undefined,
): string | undefined {
  if (!gate.approverNotRequester) return undefined;
  if (!actor || actor === 'anonymous') return 'this approval must come from a named person other than the requester; sign in first';
  if (actor === requester) return `"${actor}" asked for this promotion and so cannot approve it: another person must`;
  return undefined;
}
