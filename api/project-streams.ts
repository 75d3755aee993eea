/**
 * Live updates of projects for the event stream (GET /api/v1/projects/:project/stream): per
 * project ONE watcher, whatever the number of subscribers. While anyone subscribes it asks the
 * project's revision every `pollMs` (a small read) and reads its whole state only when that moved,
 * so an idle project costs one small query per tick; a workflow that predates revisions is read
 * whole at every tick (through the shared reads, api/project-reads.ts). The views are rendered
 * again at every tick all the same (a soak time can end without any change), what changed turns
 * into numbered events, and every subscriber gets them. It keeps the last
 * `historySize` events so a subscriber that reconnects with its last event id gets what it missed;
 * an id it cannot serve (too old, from another watcher or server) gets a `reset` with everything.
 * A watcher nobody subscribes to stops after `lingerMs` (a reconnect in that time resumes).
 */
import { randomBytes } from 'node:crypto';
import type { ProjectState } from '../core/project/state.js';
import type { ShuntBackend } from './backend.js';
import { diffViews, snapshotOf, streamViews, type StreamChange, type StreamViews } from './stream-views.js';
import type { PromotionViewOptions } from './views.js';

export interface ProjectStreamsOptions {
  /** How often a watched project is read; default 500 ms. */
  pollMs?: number;
  /** How many events a watcher keeps for resuming; default 1000. */
  historySize?: number;
  /** How long a watcher outlives its last subscriber; default 5 s. */
  lingerMs?: number;
  now?: () => number;
}

/** One event as the stream sends it. */
export interface StreamEvent {
  /** `<watcher>-<seq>`: the resume token. */
  id: string;
  event: 'reset' | StreamChange['type'] | 'unavailable';
  data: unknown;
}

export interface Subscriber {
  send(event: StreamEvent): void;
  /**
   * The project's state at each read (and the last one read when it subscribes): for streams
   * derived from the state itself, as the lifecycle events (api/routes/stream-events.ts).
   */
  state?(state: ProjectState): void;
  /** The server shuts down: end the response. */
  close(): void;
}

export const DEFAULT_STREAM_POLL_MS = 500;

class ProjectWatcher {
  /** Names this watcher's ids: a token from another watcher is unknown here. */
  private readonly epoch = randomBytes(4).toString('hex');
  private seq = 0;
  private views: StreamViews | undefined;
  private readonly history: StreamEvent[] = [];
  private readonly subscribers = new Set<Subscriber>();
  private timer: NodeJS.Timeout | undefined;
  private lingerTimer: NodeJS.Timeout | undefined;
  private lastProblem: string | undefined;
  private stopped = false;
  /** The state last read, and the revision it was read at (undefined: the workflow cannot tell). */
  private state: ProjectState | undefined;
  private revision: string | undefined;

  constructor(
    private readonly project: string,
    private readonly backend: ShuntBackend,
    private readonly viewOptions: PromotionViewOptions,
    private readonly opts: Required<Omit<ProjectStreamsOptions, 'now'>> & { now: () => number },
    private readonly onStop: () => void,
  ) {}

  get subscriberCount(): number {
    return this.subscribers.size;
  }

  /** Reads the project now (the first subscriber waits for it: its errors reach the request). */
  async start(): Promise<void> {
    await this.poll(true);
    this.schedule();
  }

  /** Adds a subscriber; it first gets what it missed since `lastEventId`, or a reset. */
  subscribe(subscriber: Subscriber, lastEventId: string | undefined): void {
    if (this.lingerTimer) clearTimeout(this.lingerTimer);
    this.lingerTimer = undefined;
    this.subscribers.add(subscriber);
    const missed = this.since(lastEventId);
    if (missed) for (const e of missed) subscriber.send(e);
    else subscriber.send(this.resetEvent());
    if (this.state) subscriber.state?.(this.state);
  }

  unsubscribe(subscriber: Subscriber): void {
    this.subscribers.delete(subscriber);
    if (this.subscribers.size === 0 && !this.stopped) {
      this.lingerTimer = setTimeout(() => {
        if (this.subscribers.size === 0) this.stop();
      }, this.opts.lingerMs);
      this.lingerTimer.unref();
    }
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.lingerTimer) clearTimeout(this.lingerTimer);
    for (const s of this.subscribers) s.close();
    this.subscribers.clear();
    this.onStop();
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      void this.poll(false).finally(() => this.schedule());
    }, this.opts.pollMs);
    this.timer.unref();
  }

  private async poll(first: boolean): Promise<void> {
    let next: StreamViews;
    let state: ProjectState;
    const stateBefore = this.state;
    try {
      state = await this.read();
      next = streamViews(state, this.opts.now(), this.viewOptions);
    } catch (err) {
      if (first) throw err;
      const message = err instanceof Error ? err.message : String(err);
      // Said once per problem, not at every poll.
      if (message !== this.lastProblem) this.publish('unavailable', { message });
      this.lastProblem = message;
      return;
    }
    this.lastProblem = undefined;
    const before = this.views;
    this.views = next;
    if (before) {
      for (const change of diffViews(before, next)) {
        const { type, ...data } = change;
        this.publish(type, data);
      }
    }
    // Views are made every tick (a soak's time runs on), the state is handed on only when it moved.
    if (state !== stateBefore) for (const s of this.subscribers) s.state?.(state);
  }

  /** The project's state: read again only when its revision moved, or always when it has none. */
  private async read(): Promise<ProjectState> {
    const revision = await this.backend.getProjectRevision(this.project);
    if (this.state === undefined || revision === undefined || revision !== this.revision) {
      this.state = await this.backend.getProject(this.project, revision);
      this.revision = revision;
    }
    return this.state;
  }

  private publish(event: StreamEvent['event'], data: unknown): void {
    const e: StreamEvent = { id: `${this.epoch}-${++this.seq}`, event, data };
    this.history.push(e);
    if (this.history.length > this.opts.historySize) this.history.shift();
    for (const s of this.subscribers) s.send(e);
  }

  /** The events after `lastEventId`, or undefined when this watcher cannot tell (then: reset). */
  private since(lastEventId: string | undefined): StreamEvent[] | undefined {
    const match = /^([0-9a-f]{8})-(\d{1,15})$/.exec(lastEventId ?? '');
    if (!match || match[1] !== this.epoch) return undefined;
    const seq = Number(match[2]);
    if (seq > this.seq) return undefined;
    const oldest = this.history[0] ? Number(this.history[0].id.split('-')[1]) : this.seq + 1;
    if (seq < oldest - 1) return undefined; // events it missed were dropped
    return this.history.filter((e) => Number(e.id.split('-')[1]) > seq);
  }

  private resetEvent(): StreamEvent {
    return { id: `${this.epoch}-${this.seq}`, event: 'reset', data: snapshotOf(this.views ?? new Map()) };
  }
}

export class ProjectStreams {
  private readonly watchers = new Map<string, ProjectWatcher>();
  private readonly starting = new Map<string, Promise<ProjectWatcher>>();
  private readonly opts: Required<Omit<ProjectStreamsOptions, 'now'>> & { now: () => number };
  private closed = false;

  constructor(
    private readonly backend: ShuntBackend,
    private readonly viewOptions: PromotionViewOptions,
    options: ProjectStreamsOptions = {},
  ) {
    this.opts = {
      pollMs: options.pollMs ?? DEFAULT_STREAM_POLL_MS,
      historySize: options.historySize ?? 1000,
      lingerMs: options.lingerMs ?? 5000,
      now: options.now ?? Date.now,
    };
  }

  /**
   * Subscribes to `project`, starting its watcher if none runs. Rejects (before anything was
   * sent) when the project cannot be read, e.g. DomainError('NotFound').
   */
  async subscribe(project: string, subscriber: Subscriber, lastEventId?: string): Promise<() => void> {
    if (this.closed) throw new Error('the api is shutting down');
    const watcher = await this.watcher(project);
    watcher.subscribe(subscriber, lastEventId);
    return () => watcher.unsubscribe(subscriber);
  }

  /** How many watchers run (one per watched project) and how many subscribers they feed; of one project when named. */
  stats(project?: string): { watchers: number; subscribers: number } {
    const watchers = project === undefined ? [...this.watchers.values()] : [this.watchers.get(project)].filter((w) => w !== undefined);
    return { watchers: watchers.length, subscribers: watchers.reduce((n, w) => n + w.subscriberCount, 0) };
  }

  /** Ends every stream and stops every watcher (server shutdown). */
  close(): void {
    this.closed = true;
    for (const w of [...this.watchers.values()]) w.stop();
  }

  private async watcher(project: string): Promise<ProjectWatcher> {
    const running = this.watchers.get(project);
    if (running) return running;
    const pending = this.starting.get(project);
    if (pending) return pending;
    const watcher = new ProjectWatcher(project, this.backend, this.viewOptions, this.opts, () => {
      if (this.watchers.get(project) === watcher) this.watchers.delete(project);
    });
    const start = watcher.start().then(() => {
      this.watchers.set(project, watcher);
      return watcher;
    });
    this.starting.set(project, start);
    try {
      return await start;
    } finally {
      this.starting.delete(project);
    }
  }
}
