/** Names the api and the worker share for git reads (workflows/git-read.ts). Free of side effects. */
import { sha1Hex } from '../core/hash.js';
import { gitReadKey, type GitReadRequest } from '../core/changes/git-reads.js';

export const GIT_READ_WORKFLOW = 'gitReadWorkflow';

/** One id per request: concurrent callers of the same read share one run. */
export const gitReadWorkflowId = (request: GitReadRequest): string => `git-read:${request.project}:${sha1Hex(gitReadKey(request)).slice(0, 20)}`;
