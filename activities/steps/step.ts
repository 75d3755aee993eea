import type { z } from 'zod';
import type { StepEffect } from '../../core/project/effects.js';
import type { FreightCollection } from '../../core/promotion/types.js';
import type { Workspace } from '../adapters/workspace.js';
import type { GitService } from '../adapters/git/index.js';
import type { CredentialStore } from '../adapters/credentials.js';
import type { ArgoCDClient } from '../adapters/argocd-client.js';

/** What a step gets to do its work: nothing else reaches it. */
export interface StepContext {
  project: string;
  stage: string;
  promotion: string;
  /** The freight being promoted, with the stage's other slots carried over. */
  freight: FreightCollection;
  /** The promotion's working directory; every path a step touches goes through it. */
  workspace: Workspace;
  git: GitService;
  credentials: CredentialStore;
  /** Outputs of earlier steps, by alias. */
  outputs: Record<string, Record<string, unknown>>;
  /** Called by long-running steps so Temporal knows the worker is alive. */
  heartbeat(details?: unknown): void;
  signal: AbortSignal;
  /** The step's alias (`as`, `step-<n>`, or `<task>::<alias>`); set by run-step. */
  alias?: string;
  /** The freight being promoted (its slot in `freight` is `Warehouse/<origin.name>`). */
  targetFreight?: { name: string; alias: string; origin: { kind: 'Warehouse'; name: string } };
  /** Warehouses the stage requests freight from; steps that pick artifacts stay within them. */
  requestedOrigins?: string[];
  /** Argo CD (through Kubernetes or its REST API), when the worker is configured for it. */
  argocd?: ArgoCDClient;
  /** How long an Argo CD step waits (watching) in one run before reporting Running. */
  argocdWaitMs?: number;
}

export type StepResult =
  /** `effects`: changes to project state (metadata, aliases) the project workflow applies. */
  | { status: 'Succeeded' | 'Skipped'; output?: Record<string, unknown>; message?: string; effects?: StepEffect[] }
  /** Not done yet: the promotion sleeps `retryAfter` (a duration string) and runs the step again. */
  | { status: 'Running'; retryAfter: string; output?: Record<string, unknown>; message?: string };

export interface StepDefinition<Config> {
  /** Same as the file name: `git-push` lives in git-push.ts. */
  kind: string;
  /** Validated after expressions are rendered; a mismatch is InvalidStepConfig (not retried). */
  config: z.ZodType<Config>;
  // Its timeout and error threshold are Kargo's registration defaults, declared once for the
  // workflow in core/promotion/step-kinds.ts (STEP_KIND_DEFAULTS).
  run(ctx: StepContext, config: Config): Promise<StepResult>;
}
