import YAML from 'yaml';

/**
 * Pure output helpers of the CLI: kubectl-style tables, ages and resource references.
 */

export type OutputFormat = 'table' | 'json' | 'yaml';
export const OUTPUT_FORMATS: readonly OutputFormat[] = ['table', 'json', 'yaml'];

/** Aligned columns separated by three spaces, headers first; no trailing spaces. */
export function formatTable(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const all = [headers, ...rows];
  const widths = headers.map((_, col) => Math.max(...all.map((row) => (row[col] ?? '').length)));
  return all
    .map((row) =>
      headers
        .map((_, col) => (row[col] ?? '').padEnd(widths[col] ?? 0))
        .join('   ')
        .trimEnd(),
    )
    .map((line) => `${line}\n`)
    .join('');
}

/** The API's object or list exactly as returned: 2-space JSON or YAML. */
export function formatDocument(value: unknown, format: 'json' | 'yaml'): string {
  return format === 'json' ? `${JSON.stringify(value, null, 2)}\n` : YAML.stringify(value);
}

/**
 * How long ago `since` was, the way kubectl's AGE column shows it (`45s`, `3m20s`, `2h`,
 * `4d5h`); `<unknown>` when there is no valid time.
 */
export function formatAge(since: string | undefined, now: Date): string {
  if (since === undefined) return '<unknown>';
  const then = Date.parse(since);
  if (Number.isNaN(then)) return '<unknown>';
  const seconds = Math.max(0, Math.floor((now.getTime() - then) / 1000));
  const minutes = Math.floor(seconds / 60);
  const hours = Math.floor(minutes / 60);
  const days = Math.floor(hours / 24);
  if (seconds < 120) return `${seconds}s`;
  if (minutes < 10) return seconds % 60 === 0 ? `${minutes}m` : `${minutes}m${seconds % 60}s`;
  if (hours < 3) return `${minutes}m`;
  if (hours < 8) return minutes % 60 === 0 ? `${hours}h` : `${hours}h${minutes % 60}m`;
  if (hours < 48) return `${hours}h`;
  if (days < 8) return hours % 24 === 0 ? `${days}d` : `${days}d${hours % 24}h`;
  return `${days}d`;
}

/** `stage.kargo.akuity.io/prod`: how kubectl names a resource in its output. */
export function resourceRef(kind: string, name: string): string {
  return `${kind.toLowerCase()}.kargo.akuity.io/${name}`;
}

/** First 7 characters of a freight id, as Kargo puts in promotion names. */
export function shortId(id: string): string {
  return id.slice(0, 7);
}

/** Shown in a table cell that has nothing to show. */
export const NONE = '-';

export function orNone(value: string | undefined): string {
  return value === undefined || value === '' ? NONE : value;
}
