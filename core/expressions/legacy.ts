/**
 * Older spellings of expressions that real manifests and articles use, rewritten to what their
 * authors meant before evaluation (and reported as apply hints, see core/manifests/steps.ts):
 *
 * - `steps['a'].status`, `steps["a"].status`, `steps.a.status` → `status('a')`, with the
 *   status names those articles compare against (`'Failure'`, `'Success'`, `'Error'`) mapped to
 *   Kargo's (`'Failed'`, `'Succeeded'`, `'Errored'`);
 * - `steps['a'].outputs` / `steps.a.outputs` → `outputs['a']`.
 *
 * (`secrets.<name>` needs no rewrite: run-step provides a `secrets` variable.)
 */

const STEP_REF = /\bsteps(?:\[\s*(['"])([^'"\]]+)\1\s*\]|\.([A-Za-z_][\w-]*))\.(status|outputs)\b/g;
const OLD_STATUS: Record<string, string> = { Failure: 'Failed', Success: 'Succeeded', Error: 'Errored' };

/** The rewritten text (the same string when nothing matched). */
export function rewriteLegacyExpression(text: string): string {
  if (!text.includes('steps')) return text;
  let out = text.replace(STEP_REF, (_m, _q: string | undefined, quoted: string | undefined, dotted: string | undefined, what: string) => {
    const alias = JSON.stringify(quoted ?? dotted ?? '');
    return what === 'status' ? `status(${alias})` : `outputs[${alias}]`;
  });
  if (out === text) return text;
  out = out.replace(/(status\("[^"]*"\)\s*[!=]=\s*)(['"])(Failure|Success|Error)\2/g, (_m, lhs: string, q: string, s: string) => `${lhs}${q}${OLD_STATUS[s]}${q}`);
  out = out.replace(/(['"])(Failure|Success|Error)\1(\s*[!=]=\s*status\(")/g, (_m, q: string, s: string, rhs: string) => `${q}${OLD_STATUS[s]}${q}${rhs}`);
  return out;
}

/** Whether `text` uses a spelling {@link rewriteLegacyExpression} rewrites. */
export function usesLegacyStepsVariable(text: string): boolean {
  return rewriteLegacyExpression(text) !== text;
}

/** Applies {@link rewriteLegacyExpression} to every string inside `value`. */
export function rewriteLegacyTemplate<T>(value: T): T {
  if (typeof value === 'string') return rewriteLegacyExpression(value) as T;
  if (Array.isArray(value)) return value.map((v) => rewriteLegacyTemplate(v as unknown)) as T;
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = rewriteLegacyTemplate(v);
    return out as T;
  }
  return value;
}
