/**
 * The cause of a failure, said once: Temporal wraps what went wrong in layers ("Child Workflow
 * execution failed" → "Activity task failed" → the activity's own error), and only the innermost
 * says why. Read by shape (`message`, `cause`, `activityType`), never by class: `instanceof` is
 * unreliable across the workflow sandbox.
 */
import { isRecord } from './record.js';

/** How deep a cause chain is followed (a cycle or an absurd chain stops here). */
const MAX_DEPTH = 10;

/**
 * The innermost message of `err`'s cause chain, prefixed with the activity that failed when an
 * activity did: `activity createAnalysisRun failed: the namespace "demo" does not exist`.
 */
export function failureCause(err: unknown): string {
  let activity: string | undefined;
  let message = isRecord(err) && typeof err['message'] === 'string' ? err['message'] : String(err);
  let current: unknown = err;
  for (let depth = 0; isRecord(current) && depth < MAX_DEPTH; depth++) {
    if (typeof current['activityType'] === 'string' && current['activityType'] !== '') activity = current['activityType'];
    if (typeof current['message'] === 'string' && current['message'] !== '') message = current['message'];
    current = current['cause'];
  }
  return activity ? `activity ${activity} failed: ${message}` : message;
}
