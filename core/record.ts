/** A mapping of plain data (a JSON/YAML object, a parsed response): an object, not null, not an array. */
export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
