/**
 * The contract every benchmark module under bench/ follows. `npm run bench` (bench/run) loads
 * each `bench/*.bench.ts` module, calls its default export and writes the figures to
 * bench/results.json and a table. Benchmarks measure; they never assert timings.
 */
export interface BenchContext {
  /** A scratch directory of this module's own (under bench/work/), created empty. */
  workDir: string;
  /** Fewer runs and smaller inputs (`npm run bench -- --quick`), for a smoke check. */
  quick: boolean;
  log(message: string): void;
}

export interface BenchFigure {
  /** Stable id, e.g. `warehouse-scan.5000-tags`. */
  name: string;
  /** What a person reads in the table. */
  title: string;
  unit: 'ms' | 's' | 'MB' | 'per-min' | 'ratio' | 'percent' | 'count';
  /** Median over `samples`. */
  median: number;
  p95?: number;
  samples: number[];
  /** The issue's target, if it has one; `met` is computed by the runner. */
  target?: { op: '<' | '<=' | '>' | '>='; value: number };
  note?: string;
}

export type BenchModule = (ctx: BenchContext) => Promise<BenchFigure[]>;
