import * as path from 'node:path';

/** Whether `child` is `parent` or below it (both absolute, compared as written: resolve symlinks first where they matter). */
export function isInside(parent: string, child: string): boolean {
  const rel = path.relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}
