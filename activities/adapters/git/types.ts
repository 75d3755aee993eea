/** Shapes shared by the git modules. */
import type { RepoCredentials } from '../credentials.js';

export interface GitIdentity {
  name: string;
  email: string;
}

/** How to reach a remote. */
export interface RemoteAccess {
  credentials?: RepoCredentials | undefined;
  insecureSkipTLSVerify?: boolean | undefined;
}

/** Hooks for long operations: heartbeats while git runs, cancellation. */
export interface OperationHooks {
  heartbeat?: (() => void) | undefined;
  signal?: AbortSignal | undefined;
}

/** Counters the GitService keeps since it started (tests assert mirror reuse with these). */
export interface GitStats {
  mirrorsCreated: number;
  mirrorFetches: number;
  pushes: number;
}
