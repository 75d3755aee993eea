/**
 * `shunt get stages|freight|promotions --watch`: the project's event stream (GET
 * /projects/:project/stream) instead of polling. Prints what there is, then one line (or one
 * document with -o json|yaml) per change, until the stream is aborted (Ctrl-C). A lost connection
 * is resumed with the last event's id after a pause.
 */
import type { KargoObject, ShuntClient } from './client.js';
import { StreamLost } from './client.js';
import type { CommandContext } from './context.js';
import { CliError } from './errors.js';
import type { ServerSentEvent } from './event-stream.js';
import { formatDocument, type OutputFormat } from './format.js';
import type { GetKind } from './kinds.js';
import { renderTable } from './tables.js';

export type WatchKind = 'stages' | 'freight' | 'promotions';

const STREAM_KIND: Record<WatchKind, { kind: string; snapshot: 'stages' | 'freight' | 'promotions' }> = {
  stages: { kind: 'Stage', snapshot: 'stages' },
  freight: { kind: 'Freight', snapshot: 'freight' },
  promotions: { kind: 'Promotion', snapshot: 'promotions' },
};

/** Pause before resuming a lost stream. */
export const RESUME_PAUSE_MS = 1000;

export function watchable(kind: GetKind): kind is WatchKind {
  return kind === 'stages' || kind === 'freight' || kind === 'promotions';
}

export async function watch(
  ctx: CommandContext,
  client: ShuntClient,
  opts: { project: string; kind: WatchKind; name?: string; output: OutputFormat; signal: AbortSignal },
): Promise<void> {
  const { kind, snapshot } = STREAM_KIND[opts.kind];
  const wanted = (o: KargoObject): boolean =>
    opts.name === undefined || o.metadata.name === opts.name || (opts.kind === 'freight' && (o as { alias?: unknown }).alias === opts.name);
  let printedHeader = false;

  const show = (type: string, objects: KargoObject[]): void => {
    if (objects.length === 0) return;
    if (opts.output !== 'table') {
      for (const object of objects) ctx.io.stdout(formatDocument({ type, object }, opts.output));
      return;
    }
    const lines = renderTable(opts.kind, objects, ctx.io.now()).trimEnd().split('\n');
    const [header, ...rows] = lines;
    if (!printedHeader) ctx.out(`EVENT     ${header ?? ''}`);
    printedHeader = true;
    for (const row of rows) ctx.out(`${type.toUpperCase().padEnd(10)}${row}`);
  };

  const handle = (e: ServerSentEvent): void => {
    const data = JSON.parse(e.data) as Record<string, unknown>;
    if (e.event === 'reset') {
      const objects = ((data[snapshot] ?? []) as KargoObject[]).filter(wanted);
      if (objects.length === 0 && !printedHeader) ctx.err(`No ${opts.kind} in project ${opts.project} yet; watching.`);
      show(printedHeader ? 'reset' : 'existing', objects);
    } else if (e.event === 'unavailable') {
      ctx.err(`the project cannot be read just now: ${String(data['message'])}`);
    } else if (data['kind'] === kind && wanted(data['object'] as KargoObject)) {
      show(e.event, [data['object'] as KargoObject]);
    }
  };

  await followStream(ctx, client, { project: opts.project, of: 'state', signal: opts.signal }, handle);
}

/**
 * Hands each event of a project's stream (`of`: its state, or its lifecycle events) to `handle`
 * until `signal` aborts; a lost connection, or an api that cannot be reached once the stream
 * began, is resumed after the last event's id.
 */
export async function followStream(
  ctx: CommandContext,
  client: ShuntClient,
  opts: { project: string; of: 'state' | 'events'; signal: AbortSignal },
  handle: (e: ServerSentEvent) => void,
): Promise<void> {
  let lastEventId: string | undefined;
  while (!opts.signal.aborted) {
    try {
      for await (const e of client.stream(opts.project, { of: opts.of, signal: opts.signal, ...(lastEventId === undefined ? {} : { lastEventId }) })) {
        if (e.id !== undefined) lastEventId = e.id;
        handle(e);
      }
    } catch (err) {
      if (!(err instanceof StreamLost) && !(err instanceof CliError && lastEventId !== undefined && /cannot reach/.test(err.message))) throw err;
    }
    if (opts.signal.aborted) break;
    ctx.err('the stream ended: resuming');
    await ctx.io.sleep(RESUME_PAUSE_MS);
  }
}
