/**
 * The stage graph: which stages feed which (`requestedFreight[].sources.stages`), a
 * topological order, and the dependency cycles that make a pipeline invalid.
 */
import type { Stage } from '../model.js';

export interface StageGraph {
  /** For each stage: its upstream stages, as declared (deduplicated, in declaration order). */
  upstream: Record<string, string[]>;
  /** For each stage: the stages that list it as upstream (in input order). */
  downstream: Record<string, string[]>;
  /**
   * Every stage, upstream before downstream; ties keep input order. Stages on (or behind)
   * a cycle come last, in input order.
   */
  order: string[];
}

export function stageGraph(stages: Stage[]): StageGraph {
  const names = stages.map((s) => s.metadata.name);
  const known = new Set(names);
  const upstream: Record<string, string[]> = {};
  const downstream: Record<string, string[]> = {};
  for (const name of names) {
    upstream[name] ??= [];
    downstream[name] ??= [];
  }
  for (const stage of stages) {
    const up = upstream[stage.metadata.name] ?? [];
    for (const req of stage.spec.requestedFreight) {
      for (const u of req.sources.stages ?? []) if (!up.includes(u)) up.push(u);
    }
  }
  for (const name of names) {
    for (const u of upstream[name] ?? []) {
      const down = downstream[u];
      if (down !== undefined && !down.includes(name)) down.push(name);
    }
  }
  // Kahn's algorithm; only known upstreams count as dependencies.
  const pending = new Map(names.map((n) => [n, (upstream[n] ?? []).filter((u) => known.has(u)).length]));
  const order: string[] = [];
  const done = new Set<string>();
  let progressed = true;
  while (progressed) {
    progressed = false;
    for (const name of names) {
      if (done.has(name) || (pending.get(name) ?? 0) > 0) continue;
      done.add(name);
      order.push(name);
      for (const d of downstream[name] ?? []) pending.set(d, (pending.get(d) ?? 0) - 1);
      progressed = true;
    }
  }
  for (const name of names) if (!done.has(name)) order.push(name);
  return { upstream, downstream, order };
}

/**
 * Each dependency cycle once, as a closed path `[a, b, a]` in the direction freight flows
 * (b lists a as upstream), starting at the cycle's alphabetically first stage. Deterministic.
 */
export function findCycles(graph: StageGraph): string[][] {
  const names = Object.keys(graph.upstream).sort();
  const edges = (n: string): string[] => (graph.upstream[n] ?? []).filter((u) => u in graph.upstream);
  // Tarjan's strongly connected components.
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const components: string[][] = [];
  const visit = (v: string): void => {
    idx.set(v, index);
    low.set(v, index);
    index++;
    stack.push(v);
    onStack.add(v);
    for (const w of edges(v)) {
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v) ?? 0, low.get(w) ?? 0));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v) ?? 0, idx.get(w) ?? 0));
      }
    }
    if (low.get(v) === idx.get(v)) {
      const comp: string[] = [];
      let w: string | undefined;
      do {
        w = stack.pop();
        if (w === undefined) break;
        onStack.delete(w);
        comp.push(w);
      } while (w !== v);
      components.push(comp);
    }
  };
  for (const n of names) if (!idx.has(n)) visit(n);

  const cycles: string[][] = [];
  for (const comp of components) {
    const members = new Set(comp);
    const start = [...comp].sort()[0];
    if (start === undefined) continue;
    if (comp.length === 1 && !edges(start).includes(start)) continue;
    // Shortest path back to `start` inside the component (BFS, alphabetical neighbours).
    const prev = new Map<string, string>();
    const queue = [start];
    let found = false;
    while (queue.length > 0 && !found) {
      const v = queue.shift() as string;
      for (const w of [...edges(v)].sort()) {
        if (!members.has(w)) continue;
        if (w === start) {
          prev.set(start, v);
          found = true;
          break;
        }
        if (!prev.has(w)) {
          prev.set(w, v);
          queue.push(w);
        }
      }
    }
    const path = [start];
    let cur = prev.get(start);
    while (cur !== undefined && cur !== start) {
      path.push(cur);
      cur = prev.get(cur);
    }
    // `path` walks the upstream edges backwards, which is the direction freight flows.
    cycles.push([...path, start]);
  }
  return cycles.sort((a, b) => ((a[0] ?? '') < (b[0] ?? '') ? -1 : 1));
}
