/** Config pieces the http, http-download and send-message steps share. */
import { z } from 'zod';
import { parseDuration } from '../../core/promotion/durations.js';

export const NameValue = z.strictObject({ name: z.string().min(1), value: z.string() });

export const Headers = z.array(NameValue).optional().describe('Request headers.');
export const QueryParams = z.array(NameValue).optional().describe('Query parameters, appended to the URL.');

/** A Go duration string, checked. */
export const DurationText = z.string().refine(
  (s) => {
    try {
      return parseDuration(s) > 0;
    } catch {
      return false;
    }
  },
  { error: 'expected a positive duration such as 30s or 5m' },
);

export function headerMap(headers: readonly { name: string; value: string }[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const h of headers ?? []) out[h.name] = h.value;
  return out;
}
