/**
 * A problem found inside one resource, and how its path is written in messages. Plain data and
 * functions, no schema: the project workflow checks specs with the rules that use these, and a
 * workflow that reached zod would build every schema again for each workflow it runs
 * (scripts/bundle-workflows.mjs).
 */

/** A problem inside one resource, with a path relative to the value checked. */
export interface LocalIssue {
  path: (string | number)[];
  message: string;
}

/** Prefixes each issue's path. */
export function under(prefix: (string | number)[], issues: readonly LocalIssue[]): LocalIssue[] {
  return issues.map((i) => ({ path: [...prefix, ...i.path], message: i.message }));
}

const IDENT = /^[A-Za-z_$][\w$-]*$/;

/** `['spec', 'steps', 0, 'config']` → `spec.steps[0].config`; odd keys are quoted. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else {
      const key = String(seg);
      if (IDENT.test(key)) out += out === '' ? key : `.${key}`;
      else out += `[${JSON.stringify(key)}]`;
    }
  }
  return out;
}
