/**
 * Update completions before the workflow's own commands.
 *
 * An update handler that wakes the main loop (a promotion queued, an approval granted) returns at
 * once, but its completion reaches the command list a few promise turns later, and the main loop,
 * woken in the same activation, may issue its own commands (start a child, signal, schedule an
 * activity) first or after it depending on those turns. A 200-promotion load showed both orders,
 * and a history written in one order fails to replay in the other ("[TMPRL1100] Nondeterminism
 * error: Update machine does not handle this event"). Waiting for every handler to finish before
 * issuing commands makes the order one and the same, first time and on replay.
 *
 * Histories written before this existed carry no marker: they replay with the old behaviour.
 */
import { allHandlersFinished, condition, patched } from '@temporalio/workflow';

export const HANDLERS_FIRST_PATCH = 'update-completions-before-commands';

/** `isPatched`: how the workflow asks for the patch (a promotion asks through its patch set). */
export async function handlersFirst(isPatched: (patchId: typeof HANDLERS_FIRST_PATCH) => boolean = patched): Promise<void> {
  if (isPatched(HANDLERS_FIRST_PATCH)) await condition(allHandlersFinished);
}
