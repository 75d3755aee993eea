/**
 * Many behaviours behind one marker.
 *
 * Every `patched()` a new run calls records a marker and an upsert of `TemporalChangeVersion`
 * (sdk-core does that for each patch, and the server writes the run's visibility record again
 * each time). A run that records the set's marker takes every behaviour the set names without
 * recording each; a run written before the set (no such marker in its history) asks each patch
 * as it did, so every saved history replays as before.
 *
 * The set is closed: a behaviour added later is asked with `patched()` on its own (a run with
 * this marker was written without it), or through a new set. The types refuse any other id.
 */
import { patched } from '@temporalio/workflow';

/**
 * Call once at the start of the workflow, before any command: how the run asks for one of
 * `_members` (the set's patch ids, listed for their type: the answer takes no other).
 */
export function patchSet<const Members extends readonly string[]>(marker: string, _members: Members): (patchId: Members[number]) => boolean {
  const all = patched(marker);
  return (patchId) => all || patched(patchId);
}
