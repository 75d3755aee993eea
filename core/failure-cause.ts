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
  for (const layer of causeChain(err)) {
    if (typeof layer['activityType'] === 'string' && layer['activityType'] !== '') activity = layer['activityType'];
    if (typeof layer['message'] === 'string' && layer['message'] !== '') message = layer['message'];
  }
  return activity ? `activity ${activity} failed: ${message}` : message;
}

/** The layers of `err`'s cause chain, outermost first (at most MAX_DEPTH of them). */
export function causeChain(err: unknown): Record<string, unknown>[] {
  const layers: Record<string, unknown>[] = [];
  for (let current: unknown = err; isRecord(current) && layers.length < MAX_DEPTH; current = current['cause']) layers.push(current);
  return layers;
}
