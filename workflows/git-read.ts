/**
 * gitReadWorkflow: reads the worker's git mirrors for the api (a promotion's changes, the commits
 * between two stages' revisions; core/changes/git-reads.ts). The api does not share the worker's
 * disk, so it starts this short workflow and waits for its answer; concurrent callers of the same
 * read share one run (its id is made from the request).
 */
import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import type { CommitsBetween, GitReadRequest, PromotionChanges } from '../core/changes/git-reads.js';

const { readGit } = proxyActivities<Activities>({
  startToCloseTimeout: '5 minutes',
  heartbeatTimeout: '1 minute',
  retry: { initialInterval: '1 second', maximumInterval: '10 seconds', maximumAttempts: 3, nonRetryableErrorTypes: ['NotFound', 'BadRequest'] },
});

export async function gitReadWorkflow(request: GitReadRequest): Promise<PromotionChanges | CommitsBetween> {
  return readGit(request);
}
