#!/usr/bin/env node
// Bundles the compiled workflows (dist/workflows/index.js) once, so workers and replay tests
// load dist/workflow-bundle.js instead of running webpack at every start.
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleWorkflowCode } from '@temporalio/worker';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const core = join(root, 'dist', 'core');

/**
 * Libraries the workflows use that keep no state of a workflow's own. With the worker's reusable
 * V8 context every workflow otherwise gets its own instance of every module in the bundle: about
 * 3 MB for each promotion in the worker's cache (bench/README.md).
 */
const STATELESS_LIBRARIES = ['yaml', 're2js'];

const importsCache = new Map();

/** The imports of a compiled module: relative ones as absolute paths, packages as named. */
function importsOf(file) {
  let imports = importsCache.get(file);
  if (imports === undefined) {
    const source = readFileSync(file, 'utf8');
    imports = [...source.matchAll(/(?:^|\n)\s*(?:import|export)\s[^;]*?from\s+['"]([^'"]+)['"]/g)].map(([, spec]) =>
      spec.startsWith('.') ? resolve(dirname(file), spec) : spec,
    );
    importsCache.set(file, imports);
  }
  return imports;
}

/** The compiled modules of this project that `entries` import, directly or not (type imports are gone from the output). */
function reachable(entries) {
  const seen = new Set();
  const pending = [...entries];
  while (pending.length > 0) {
    const file = pending.pop();
    if (seen.has(file)) continue;
    seen.add(file);
    pending.push(...importsOf(file).filter((spec) => spec.startsWith(root)));
  }
  return seen;
}

/** The chain of imports by which `file` reaches zod, or undefined when it does not. */
function zodChain(file, seen = new Set()) {
  if (seen.has(file)) return undefined;
  seen.add(file);
  if (importsOf(file).some((spec) => spec === 'zod' || spec.startsWith('zod/'))) return [file];
  for (const spec of importsOf(file).filter((s) => s.startsWith(root))) {
    const chain = zodChain(spec, seen);
    if (chain) return [file, ...chain];
  }
  return undefined;
}

const workflows = join(root, 'dist', 'workflows', 'index.js');
const interceptor = join(root, 'dist', 'workflows', 'metrics-interceptor.js');
// No workflow reaches zod. The SDK freezes shared modules, and zod defines a schema's methods on
// it when they are first read: a shared schema fails at its first use ("Cannot define property
// safeParse, object is not extensible"). Unshared, every workflow built every schema again: a
// third of the workflow thread's time with 20 promotions at once, and most of a waiting
// promotion's 3 MB. The workflows check specs with the plain rules (core/manifests/*-rules.ts).
const viaZod = zodChain(workflows) ?? zodChain(interceptor);
if (viaZod) throw new Error(`bundle-workflows: the workflows reach zod: ${viaZod.map((f) => relative(root, f)).join(' → ')}`);
// core/ is pure logic with no state of a workflow's own (its only module state is a cache of
// compiled regexes and the budget of the one expression evaluating now, which is synchronous).
const coreModules = [...reachable([workflows, interceptor])].filter((path) => path.startsWith(core)).sort();
if (coreModules.length === 0) throw new Error('bundle-workflows: the workflows import no core/ module to share; is dist/ built?');
const { code } = await bundleWorkflowCode({
  workflowsPath: workflows,
  // Reports each workflow's end to the worker's metrics (worker/metrics.ts).
  workflowInterceptorModules: [interceptor],
  // Loaded once and shared by every workflow in the worker, and frozen by the SDK.
  preloadModules: [...STATELESS_LIBRARIES, ...coreModules],
  // The worker needs an inline source map, but not the sources in it: without them the bundle
  // is 1.9 MB instead of 4.5 MB, and a worker holds about 35 MB less (bench/README.md).
  webpackConfigHook: (config) => ({ ...config, devtool: 'inline-nosources-cheap-source-map' }),
  logger: { log() {}, trace() {}, debug() {}, info() {}, warn: console.warn, error: console.error },
});
await writeFile(join(root, 'dist', 'workflow-bundle.js'), code);
