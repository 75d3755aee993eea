/** The benchmark table: one row per figure, with its target and whether it was met. */
import type { BenchResults } from './run.js';
import type { BenchFigure } from './types.js';

/** Whether a figure meets its target; undefined when it has none. */
export function targetMet(f: BenchFigure): boolean | undefined {
  if (!f.target) return undefined;
  const { op, value } = f.target;
  switch (op) {
    case '<':
      return f.median < value;
    case '<=':
      return f.median <= value;
    case '>':
      return f.median > value;
    case '>=':
      return f.median >= value;
  }
}

const UNITS: Record<BenchFigure['unit'], string> = { ms: 'ms', s: 's', MB: 'MB', 'per-min': '/min', ratio: '×', percent: '%', count: '' };

export function formatValue(value: number, unit: BenchFigure['unit']): string {
  const digits = Math.abs(value) >= 100 ? 0 : Math.abs(value) >= 10 ? 1 : 2;
  const n = Number(value.toFixed(digits)).toString();
  return unit === 'count' ? n : `${n} ${UNITS[unit]}`;
}

export function renderTable(results: BenchResults): string {
  const rows = ['| figure | median | p95 | runs | target | met |', '|---|---|---|---|---|---|'];
  for (const m of results.modules) {
    if (m.error) {
      rows.push(`| ${m.module}: **could not run** (${m.error.replaceAll('|', '\\|')}) | | | | | |`);
      continue;
    }
    for (const f of m.figures as (BenchFigure & { met?: boolean })[]) {
      const target = f.target ? `${f.target.op} ${formatValue(f.target.value, f.unit)}` : '';
      const met = f.met === undefined ? '' : f.met ? 'yes' : '**no**';
      const title = f.note ? `${f.title} (${f.note})` : f.title;
      rows.push(
        `| ${title.replaceAll('|', '\\|')} | ${formatValue(f.median, f.unit)} | ${f.p95 === undefined ? '' : formatValue(f.p95, f.unit)} | ${f.samples.length} | ${target} | ${met} |`,
      );
    }
  }
  const when = results.startedAt.replace('T', ' ').replace(/\.\d+Z$/, ' UTC');
  return `${rows.join('\n')}\n\nMeasured ${when}${results.quick ? ' in --quick mode' : ''} on ${results.machine.summary}.`;
}
