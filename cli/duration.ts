import { durationHint, readDuration } from '../core/duration.js';
import { CliError } from './errors.js';

/** A duration option (`10m`, `1h30m`, `45s`, `500ms`; Go syntax, not negative) in milliseconds. */
export function parseDuration(text: string, option = 'duration'): number {
  const read = readDuration(text.trim());
  if (!read.ok) throw new CliError(`invalid ${option} ${JSON.stringify(text)}: ${read.reason}; ${durationHint()}`);
  return read.ms;
}
