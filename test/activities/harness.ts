/**
 * Shared set-up for step tests: a data dir, a hermetic GitService, a promotion workspace and a
 * StepContext around them. Real git, hand-written fakes only (STYLE.md §3).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { EmptyCredentialStore, type CredentialStore, type ProjectCredentials } from '../../activities/adapters/credentials.js';
import { GitService } from '../../activities/adapters/git/index.js';
import { createWorkspace, type Workspace } from '../../activities/adapters/workspace.js';
import type { RunStepInput } from '../../activities/run-step.js';
import type { StepContext, StepDefinition, StepResult } from '../../activities/steps/step.js';
import type { FreightCollection, FreightReference, PlannedStep } from '../../core/promotion/types.js';
import { hermeticEnv, tempDir, type Disposer } from '../support/git-repos.js';

export const PROMOTION = 'dev.01j0000000000000000000000.abc1234';

export function aFreightReference(overrides: Partial<FreightReference> = {}): FreightReference {
  return {
    name: 'f0a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3',
    alias: 'wonky-wombat',
    origin: { kind: 'Warehouse', name: 'guestbook' },
    commits: [],
    images: [{ repoURL: 'ghcr.io/example/guestbook', tag: '1.2.3', digest: 'sha256:1111' }],
    charts: [],
    ...overrides,
  };
}

export function aFreightCollection(...refs: FreightReference[]): FreightCollection {
  const list = refs.length > 0 ? refs : [aFreightReference()];
  const items: Record<string, FreightReference> = {};
  for (const r of list) items[`Warehouse/${r.origin.name}`] = r;
  return { id: 'collection-1', items };
}

/**
 * What runStep gets for `step` of a promotion of project guestbook (freight from warehouse
 * guestbook; default stage dev, freight aFreightReference()); `extra` overrides any field.
 */
export function aRunStepInput(
  workspaceKey: string,
  step: Partial<PlannedStep> & { uses: string },
  extra: Partial<RunStepInput> & { target?: FreightReference } = {},
): RunStepInput {
  const { target = aFreightReference(), ...rest } = extra;
  const stage = rest.stage ?? 'dev';
  return {
    project: 'guestbook',
    stage,
    promotion: `${stage}.promo-1`,
    freight: aFreightCollection(target),
    targetFreight: { name: target.name, alias: target.alias, origin: { kind: 'Warehouse', name: 'guestbook' } },
    requestedOrigins: ['guestbook'],
    workspaceKey,
    promotionVars: [],
    outputs: {},
    statuses: [],
    ...rest,
    step: { alias: 'step-1', continueOnError: false, retry: {}, vars: [], config: {}, ...step },
  };
}

export interface Harness {
  dataDir: string;
  workRoot: string;
  git: GitService;
  workspace: Workspace;
  ctx(overrides?: Partial<StepContext>): StepContext;
  /** Validates `config` with the step's schema (as run-step does) and runs the step. */
  run<C>(step: StepDefinition<C>, config: unknown, overrides?: Partial<StepContext>): Promise<StepResult>;
}

export function newGitService(dataDir: string): GitService {
  return new GitService({ dataDir, env: hermeticEnv(), pushBackoffMs: 10, heartbeatIntervalMs: 50 });
}

export async function createHarness(
  disposer: Disposer,
  opts: {
    /** A store, or project-scoped credentials (then project guestbook's view of them). */
    credentials?: CredentialStore | ProjectCredentials;
    freight?: FreightCollection;
    git?: GitService;
    dataDir?: string;
    workspaceKey?: string;
    promotion?: string;
  } = {},
): Promise<Harness> {
  const dataDir = opts.dataDir ?? (await tempDir(disposer, 'shunt-data-'));
  const workRoot = path.join(dataDir, 'work');
  const git = opts.git ?? newGitService(dataDir);
  const workspace = await createWorkspace(workRoot, opts.workspaceKey ?? 'promo-1');
  const given = opts.credentials ?? new EmptyCredentialStore();
  const credentials: CredentialStore = 'git' in given ? given : given.forProject('guestbook');
  const freight = opts.freight ?? aFreightCollection();
  const heartbeats: unknown[] = [];
  const ctx = (overrides: Partial<StepContext> = {}): StepContext => ({
    project: 'guestbook',
    stage: 'dev',
    promotion: opts.promotion ?? PROMOTION,
    freight,
    workspace,
    git,
    credentials,
    outputs: {},
    heartbeat: (d?: unknown) => heartbeats.push(d),
    signal: new AbortController().signal,
    alias: 'step-1',
    requestedOrigins: Object.values(freight.items).map((r) => r.origin.name),
    ...overrides,
  });
  return {
    dataDir,
    workRoot,
    git,
    workspace,
    ctx,
    async run(step, config, overrides) {
      const parsed = step.config.parse(config);
      return step.run(ctx(overrides), parsed);
    },
  };
}

/** Input and golden files of the step tests. */
export const FIXTURES = path.resolve('test/fixtures/steps');

export const fixture = (rel: string): string => fs.readFileSync(path.join(FIXTURES, rel), 'utf8');

/** Compares with a golden file (UPDATE_GOLDEN=1 rewrites it; review the diff like code). */
export function expectGolden(actual: string, rel: string): void {
  const file = path.join(FIXTURES, rel);
  if (process.env['UPDATE_GOLDEN'] === '1') fs.writeFileSync(file, actual);
  expect(actual).toBe(fs.readFileSync(file, 'utf8'));
}

/** Writes a file into the harness's workspace (directories made as needed); answers its path. */
export async function place(h: Harness, rel: string, content: string): Promise<string> {
  const file = h.workspace.resolve(rel);
  await fs.promises.mkdir(path.dirname(file), { recursive: true });
  await fs.promises.writeFile(file, content);
  return file;
}

/** The error a step run was refused with; fails the test when it was not refused. */
export async function errorOf(p: Promise<unknown>): Promise<{ code?: string; message: string }> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(Error);
  return err as { code?: string; message: string };
}
