/**
 * A controller loop acting like Argo CD's application controller on the fake API server: it
 * answers a requested sync (`operation.sync` on an Application) the way Argo CD does:
 * `status.operationState` goes Running, then Succeeded (with `syncResult.revision(s)`) or
 * Failed (with Argo CD's message); `operation` is cleared when the operation completes;
 * `status.sync` becomes Synced to the revision; `status.health` goes Progressing, then Healthy
 * or, when told, Degraded. A hard-refresh annotation is consumed. Tests choose per app what
 * happens next: succeed (default), fail with a message, go degraded, or keep running.
 */
import type { KubeObject } from './store.js';
import type { FakeKubeServer } from './server.js';

export interface AppBehaviour {
  /** The sync operation fails with this message (Argo CD's `operationState.message`). */
  fail?: string;
  /** The sync succeeds but the app's health becomes Degraded with this message. */
  degrade?: string;
  /** The operation stays Running forever (for timeouts). */
  hang?: boolean;
}

export interface ArgoCDControllerOptions {
  /** Resolves a source's targetRevision (a branch, tag or commit) to a commit; default: itself. */
  resolveRevision?: (repoURL: string, targetRevision: string) => string | Promise<string>;
  /** Pause between the controller's writes, so watchers see each transition. */
  stepMs?: number;
}

const REFRESH_ANNOTATION = 'argocd.argoproj.io/refresh';

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export class FakeArgoCDController {
  private readonly behaviours = new Map<string, AppBehaviour>();
  private readonly busy = new Set<string>();
  private unsubscribe: (() => void) | undefined;
  private stopped = false;
  /** Every sync operation the controller picked up, in order. */
  readonly operations: Array<{ namespace: string; name: string; operation: Record<string, unknown> }> = [];

  constructor(
    private readonly server: FakeKubeServer,
    private readonly opts: ArgoCDControllerOptions = {},
  ) {}

  start(): this {
    this.unsubscribe = this.server.store.subscribe((e) => {
      if (e.resource !== 'applications' || e.type === 'DELETED') return;
      if (isObject(e.object['operation']) && !this.busy.has(`${e.namespace}/${e.object.metadata.name}`)) {
        void this.sync(e.namespace, e.object.metadata.name);
      }
    });
    return this;
  }

  stop(): void {
    this.stopped = true;
    this.unsubscribe?.();
  }

  behave(namespace: string, name: string, behaviour: AppBehaviour): void {
    this.behaviours.set(`${namespace}/${name}`, behaviour);
  }

  private pause(): Promise<void> {
    return new Promise((r) => setTimeout(r, this.opts.stepMs ?? 25));
  }

  /** Reads, changes and writes the app, as a controller's patch would; nothing if it is gone. */
  private update(namespace: string, name: string, change: (app: KubeObject) => void): KubeObject | undefined {
    const app = this.server.store.get('applications', namespace, name);
    if (!app || this.stopped) return undefined;
    change(app);
    return this.server.store.write('applications', namespace, app);
  }

  private async sync(namespace: string, name: string): Promise<void> {
    const key = `${namespace}/${name}`;
    this.busy.add(key);
    try {
      await this.pause();
      const app = this.server.store.get('applications', namespace, name);
      const operation = app?.['operation'];
      if (!app || !isObject(operation)) return;
      this.operations.push({ namespace, name, operation: structuredClone(operation) });
      const behaviour = this.behaviours.get(key) ?? {};
      const startedAt = new Date().toISOString();

      this.update(namespace, name, (a) => {
        if (a.metadata.annotations) delete a.metadata.annotations[REFRESH_ANNOTATION];
        const status = isObject(a['status']) ? a['status'] : {};
        status['operationState'] = { operation, phase: 'Running', message: 'one or more tasks are running', startedAt };
        a['status'] = status;
      });
      if (behaviour.hang) return;
      await this.pause();

      const spec = isObject(app['spec']) ? app['spec'] : {};
      const sources = Array.isArray(spec['sources'])
        ? (spec['sources'] as Record<string, unknown>[])
        : isObject(spec['source'])
          ? [spec['source']]
          : [];
      const sync = isObject(operation['sync']) ? operation['sync'] : {};
      // As Argo CD's controller: a revisions list that does not name every source is ignored.
      const requested: string[] = Array.isArray(sync['revisions'])
        ? (sync['revisions'] as string[]).length === sources.length
          ? (sync['revisions'] as string[])
          : []
        : typeof sync['revision'] === 'string'
          ? [sync['revision']]
          : [];
      const revisions: string[] = [];
      for (const [i, src] of sources.entries()) {
        const wanted = requested[i] || String(src['targetRevision'] ?? 'HEAD');
        revisions.push(await (this.opts.resolveRevision ?? ((_u: string, r: string) => r))(String(src['repoURL'] ?? ''), wanted));
      }
      const multi = Array.isArray(spec['sources']);
      const syncResult: Record<string, unknown> = multi
        ? { revisions, sources, resources: [] }
        : { revision: revisions[0] ?? '', source: sources[0] ?? {}, resources: [] };
      const finishedAt = new Date().toISOString();

      if (behaviour.fail !== undefined) {
        this.update(namespace, name, (a) => {
          delete a['operation'];
          const status = isObject(a['status']) ? a['status'] : {};
          status['operationState'] = { operation, phase: 'Failed', message: behaviour.fail, startedAt, finishedAt, syncResult };
          status['sync'] = { status: 'OutOfSync', ...(multi ? { revisions } : { revision: revisions[0] ?? '' }) };
          a['status'] = status;
        });
        return;
      }

      this.update(namespace, name, (a) => {
        delete a['operation'];
        const status = isObject(a['status']) ? a['status'] : {};
        status['operationState'] = {
          operation,
          phase: 'Succeeded',
          message: 'successfully synced (all tasks run)',
          startedAt,
          finishedAt,
          syncResult,
        };
        status['sync'] = {
          status: 'Synced',
          ...(multi ? { revisions } : { revision: revisions[0] ?? '' }),
          comparedTo: { ...(multi ? { sources } : { source: sources[0] ?? {} }), destination: spec['destination'] ?? {} },
        };
        status['health'] = { status: 'Progressing', message: 'Waiting for rollout to finish' };
        a['status'] = status;
      });
      await this.pause();
      this.update(namespace, name, (a) => {
        const status = isObject(a['status']) ? a['status'] : {};
        status['health'] =
          behaviour.degrade !== undefined ? { status: 'Degraded', message: behaviour.degrade } : { status: 'Healthy' };
        a['status'] = status;
      });
    } finally {
      this.busy.delete(key);
      // A sync requested while this one ran is picked up now.
      const again = this.server.store.get('applications', namespace, name);
      if (!this.stopped && again && isObject(again['operation']) && !(this.behaviours.get(key)?.hang ?? false)) {
        void this.sync(namespace, name);
      }
    }
  }
}
