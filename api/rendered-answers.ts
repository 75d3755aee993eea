/**
 * Rendered answers of reads, kept per snapshot: readers of the same project share one read and
 * its snapshot (api/project-reads.ts), so they also get the same object back; the answer rendered
 * from it (the JSON text and its ETag) is kept with that object, per route and query, and 100
 * readers of one snapshot cost one render and one JSON.stringify. A write makes the next read a new
 * object (a new generation of reads), so a client still sees its own write in its next read.
 *
 * The ETag is the SHA-1 of the JSON text: a client that sends it back in `If-None-Match` gets
 * `304 Not Modified` while the answer is unchanged, whatever snapshot it came from. The answers
 * carry `Cache-Control: no-cache`: a client may keep them but asks again before using one.
 *
 * A stage's view depends on the time it is rendered at (soak times, api/views.ts), so a kept
 * answer judges availability at its render time, at most one snapshot's life ago.
 */
import type { Response } from 'express';
import { sha1Hex } from '../core/hash.js';

export interface RenderedAnswer {
  /** The JSON text, as sent. */
  body: Buffer;
  /** A strong ETag: the quoted SHA-1 of the body. */
  etag: string;
}

/** The JSON text of `value` and its ETag. */
export function renderedAnswer(value: unknown): RenderedAnswer {
  const body = Buffer.from(JSON.stringify(value));
  return { body, etag: `"${sha1Hex(body)}"` };
}

export class RenderedAnswers {
  /** snapshot → route and query → answer; an answer goes when its snapshot does. */
  private readonly bySnapshot = new WeakMap<object, Map<string, RenderedAnswer>>();
  private rendersDone = 0;

  /** The answer rendered from `snapshot` for `key` (route and query), rendered on the first call only. */
  answer(snapshot: object, key: string, render: () => unknown): RenderedAnswer {
    let answers = this.bySnapshot.get(snapshot);
    if (!answers) {
      answers = new Map();
      this.bySnapshot.set(snapshot, answers);
    }
    let answer = answers.get(key);
    if (!answer) {
      answer = renderedAnswer(render());
      this.rendersDone++;
      answers.set(key, answer);
    }
    return answer;
  }

  /** How many answers were rendered (for tests). */
  get renders(): number {
    return this.rendersDone;
  }
}

/**
 * Sends `answer` as JSON with its ETag. Express's `res.send` answers 304 itself when the request's
 * `If-None-Match` names that ETag (`req.fresh`, RFC 9110's weak comparison).
 */
export function sendAnswer(res: Response, answer: RenderedAnswer): void {
  res.setHeader('ETag', answer.etag);
  res.setHeader('Cache-Control', 'no-cache');
  res.type('application/json').send(answer.body);
}
