/**
 * `npm run bench [-- --quick] [-- <name>...]`: runs every `bench/*.bench.ts` module (see
 * bench/types.ts), or those whose file name contains one of the names given, one after the
 * other; writes bench/results.json, prints a table with each target met or missed, and (on a
 * full run of every module) puts the table and the machine it ran on into README.md.
 *
 * Benchmarks measure; they never fail on a figure. The runner exits 1 only when a module could
 * not run (its error is in the table and in results.json).
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describeMachine, type Machine } from './machine.js';
import { renderTable, targetMet } from './table.js';
import type { BenchFigure, BenchModule } from './types.js';

/** Compiled modules live next to this file (dist/bench); results go to the source tree. */
const here = fileURLToPath(new URL('.', import.meta.url));
const projectRoot = fileURLToPath(new URL('../..', import.meta.url));
const benchSource = join(projectRoot, 'bench');

export interface ModuleResult {
  module: string;
  durationMs: number;
  figures: (BenchFigure & { met?: boolean })[];
  error?: string;
}

export interface BenchResults {
  startedAt: string;
  quick: boolean;
  machine: Machine;
  durationMs: number;
  modules: ModuleResult[];
}

// Benches that run git in this process reach their servers on loopback, which the egress policy
// refuses unless the operator allows it (as `npm start` and the tests do).
process.env['SHUNT_EGRESS_ALLOW'] ??= '127.0.0.0/8,::1';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const only = args.filter((a) => !a.startsWith('--'));
const files = readdirSync(here)
  .filter((f) => f.endsWith('.bench.js'))
  .filter((f) => only.length === 0 || only.some((o) => f.includes(o)))
  .sort();
if (files.length === 0) {
  process.stderr.write(`bench: no module matches ${only.join(', ') || '*.bench.ts'}\n`);
  process.exit(1);
}

const started = Date.now();
const machine = describeMachine();
const results: ModuleResult[] = [];
process.stdout.write(`bench: ${files.length} module(s)${quick ? ', quick' : ''} on ${machine.summary}\n`);
for (const file of files) {
  const module = file.replace(/\.bench\.js$/, '');
  const workDir = join(benchSource, 'work', module);
  rmSync(workDir, { recursive: true, force: true });
  mkdirSync(workDir, { recursive: true });
  const t0 = Date.now();
  const log = (message: string): void => void process.stdout.write(`  [${module}] ${message}\n`);
  process.stdout.write(`bench: ${module}\n`);
  try {
    const run = (await import(pathToFileURL(join(here, file)).href)) as { default: BenchModule };
    const figures = await run.default({ workDir, quick, log });
    results.push({
      module,
      durationMs: Date.now() - t0,
      figures: figures.map((f) => {
        const met = targetMet(f);
        return met === undefined ? f : { ...f, met };
      }),
    });
  } catch (err) {
    const error = err instanceof Error ? (err.stack ?? err.message) : String(err);
    process.stderr.write(`bench: ${module} failed: ${error}\n`);
    results.push({ module, durationMs: Date.now() - t0, figures: [], error: summary(err) });
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
}

const output: BenchResults = { startedAt: new Date(started).toISOString(), quick, machine, durationMs: Date.now() - started, modules: results };
writeFileSync(join(benchSource, 'results.json'), `${JSON.stringify(output, null, 2)}\n`);
const table = renderTable(output);
process.stdout.write(`\n${table}\n`);
if (!quick && only.length === 0) updateReadme(table);
process.stdout.write(`bench: results in bench/results.json (${Math.round(output.durationMs / 1000)} s)\n`);
process.exit(results.some((r) => r.error) ? 1 : 0);

/** One line for the table: the error's message, whitespace folded, at most 300 characters. */
function summary(err: unknown): string {
  const text = (err instanceof Error ? err.message : String(err)).replace(/\s+/g, ' ').trim();
  return text.length > 300 ? `${text.slice(0, 297)}...` : text;
}

/** Replaces the README's table between the bench markers. */
function updateReadme(table: string): void {
  const readme = join(projectRoot, 'README.md');
  const text = readFileSync(readme, 'utf8');
  const start = '<!-- bench:start -->';
  const end = '<!-- bench:end -->';
  const a = text.indexOf(start);
  const b = text.indexOf(end);
  if (a < 0 || b < a) {
    process.stderr.write('bench: README.md has no bench markers; table not copied there\n');
    return;
  }
  writeFileSync(readme, `${text.slice(0, a + start.length)}\n${table}\n${text.slice(b)}`);
  process.stdout.write('bench: README.md table updated\n');
}
