/**
 * The api's reads of the worker's git mirrors (a promotion's changes, the commits between two
 * revisions): each runs as a short workflow on the worker's task queue (workflows/git-read.ts),
 * since the api does not share the worker's disk. Answers are kept in a bounded cache: they are
 * made from commit ids, which never change.
 */
import { WorkflowFailedError, type Client } from '@temporalio/client';
import type { GitReadRequest, GitReadResult } from '../core/changes/git-reads.js';
import { gitReadKey } from '../core/changes/git-reads.js';
import { DomainError, isErrorCode } from '../core/errors.js';
import { GIT_READ_WORKFLOW, gitReadWorkflowId } from '../workflows/definitions.js';

/**
 * Answers kept, the least recently used dropped first. One answer is up to about 0.5 MB (its
 * patches are capped at 256 KiB): 32 keep the api's memory for them under about 16 MB.
 */
export const GIT_READ_CACHE_ENTRIES = 32;

export class GitReads {
  private readonly cache = new Map<string, Promise<unknown>>();

  constructor(
    private readonly client: Client,
    private readonly taskQueue: string,
  ) {}

  read<R extends GitReadRequest>(request: R): Promise<GitReadResult<R>> {
    const key = `${request.project}\n${gitReadKey(request)}`;
    const cached = this.cache.get(key);
    if (cached) {
      // Most recently used last.
      this.cache.delete(key);
      this.cache.set(key, cached);
      return cached as Promise<GitReadResult<R>>;
    }
    const answer = this.run(request);
    this.cache.set(key, answer);
    if (this.cache.size > GIT_READ_CACHE_ENTRIES) this.cache.delete(this.cache.keys().next().value as string);
    // A failure is not kept: the next reader asks again.
    answer.catch(() => {
      if (this.cache.get(key) === answer) this.cache.delete(key);
    });
    return answer;
  }

  private async run<R extends GitReadRequest>(request: R): Promise<GitReadResult<R>> {
    try {
      return (await this.client.workflow.execute(GIT_READ_WORKFLOW, {
        workflowId: gitReadWorkflowId(request),
        taskQueue: this.taskQueue,
        args: [request],
        workflowIdConflictPolicy: 'USE_EXISTING',
        workflowIdReusePolicy: 'ALLOW_DUPLICATE',
        workflowExecutionTimeout: '10 minutes',
        staticSummary: `Git read for project ${request.project}`,
      })) as GitReadResult<R>;
    } catch (err) {
      throw failureOf(err);
    }
  }
}

/** The activity's failure (its type a DomainError code) as a DomainError; anything else: Unavailable. */
function failureOf(err: unknown): DomainError {
  if (err instanceof WorkflowFailedError) {
    let cause: unknown = err.cause;
    while (cause instanceof Error && cause.cause instanceof Error && !(cause as { type?: unknown }).type) cause = cause.cause;
    const failure = cause as { type?: string; message?: string } | undefined;
    const code = isErrorCode(failure?.type) ? failure.type : 'Unavailable';
    return new DomainError(code, `reading the git mirror failed: ${failure?.message ?? err.message}`);
  }
  return new DomainError('Unavailable', `reading the git mirror failed: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`);
}
