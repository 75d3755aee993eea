/** Config pieces the http, http-download and send-message steps share. */
import { z } from 'zod';
import { durationHint, readDuration } from '../../core/duration.js';

export const NameValue = z.strictObject({ name: z.string().min(1), value: z.string() });

export const Headers = z.array(NameValue).optional().describe('Request headers.');
export const QueryParams = z.array(NameValue).optional().describe('Query parameters, appended to the URL.');

/** A Go duration string (as Kargo's step configs take them), checked to be more than zero. */
export const DurationText = z.string().superRefine((text, ctx) => {
  const read = readDuration(text);
  const why = !read.ok ? read.reason : read.ms <= 0 ? 'it is zero' : undefined;
  if (why !== undefined) ctx.addIssue({ code: 'custom', message: `${JSON.stringify(text)} is not a positive duration: ${why}; ${durationHint()}` });
});

export function headerMap(headers: readonly { name: string; value: string }[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const h of headers ?? []) out[h.name] = h.value;
  return out;
}
