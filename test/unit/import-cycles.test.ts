/**
 * No module imports itself through others, type-only imports included: `import-x/no-cycle`
 * (eslint.config.js) sees only imports that exist at run time, and a cycle made of type imports
 * still says that two modules are one concept split in two, or that one sits in the wrong folder.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const root = fileURLToPath(new URL('../..', import.meta.url));
const FOLDERS = ['core', 'workflows', 'activities', 'api', 'cli', 'worker', 'launcher'];

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return sources(p);
    return e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') ? [p] : [];
  });
}

/** Relative imports and re-exports of `file`, as project-relative `.ts` paths. */
function importsOf(file: string): string[] {
  const { importedFiles } = ts.preProcessFile(fs.readFileSync(file, 'utf8'), true, true);
  return importedFiles
    .filter((i) => i.fileName.startsWith('.'))
    .map((i) => path.relative(root, path.resolve(path.dirname(file), i.fileName.replace(/\.js$/, '.ts'))));
}

/** Every strongly connected component of more than one module, or a module that imports itself. */
function cycles(graph: Map<string, string[]>): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, next);
    low.set(v, next);
    next++;
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!graph.has(w)) continue;
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v) as number, low.get(w) as number));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v) as number, index.get(w) as number));
      }
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop() as string;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1 || (graph.get(v) ?? []).includes(v)) found.push(component.sort());
    }
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return found;
}

describe('import cycles', () => {
  const graph = new Map<string, string[]>();
  for (const folder of FOLDERS) {
    for (const file of sources(path.join(root, folder))) graph.set(path.relative(root, file), importsOf(file));
  }

  it('reads the whole source tree, type imports included', () => {
    expect(graph.size).toBeGreaterThan(200);
    // core/project/state.ts imports a type from core/warehouse/scan-status.ts.
    expect(graph.get(path.join('core', 'project', 'state.ts'))).toContain(path.join('core', 'warehouse', 'scan-status.ts'));
  });

  it('finds a cycle made of type imports', () => {
    const probe = new Map([
      ['a.ts', ['b.ts']],
      ['b.ts', ['c.ts']],
      ['c.ts', ['a.ts']],
      ['d.ts', ['a.ts']],
    ]);
    expect(cycles(probe)).toEqual([['a.ts', 'b.ts', 'c.ts']]);
  });

  it('has none in core/, workflows/, activities/, api/, cli/, worker/ or launcher/', () => {
    expect(cycles(graph)).toEqual([]);
  });
});
