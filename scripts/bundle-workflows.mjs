#!/usr/bin/env node
// Bundles the compiled workflows (dist/workflows/index.js) once, so workers and replay tests
// load dist/workflow-bundle.js instead of running webpack at every start.
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
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

const bundle = (preloadModules) =>
  bundleWorkflowCode({
    workflowsPath: join(root, 'dist', 'workflows', 'index.js'),
    // Reports each workflow's end to the worker's metrics (worker/metrics.ts).
    workflowInterceptorModules: [join(root, 'dist', 'workflows', 'metrics-interceptor.js')],
    // Loaded once and shared by every workflow in the worker, and frozen by the SDK.
    preloadModules,
    // The worker needs an inline source map, but not the sources in it: without them the bundle
    // is 1.9 MB instead of 4.5 MB, and a worker holds about 35 MB less (bench/README.md).
    webpackConfigHook: (config) => ({ ...config, devtool: 'inline-nosources-cheap-source-map' }),
    logger: { log() {}, trace() {}, debug() {}, info() {}, warn: console.warn, error: console.error },
  });

/** The relative imports of a compiled module, as absolute paths, and its package imports as named. */
function importsOf(file) {
  const source = readFileSync(file, 'utf8');
  return [...source.matchAll(/(?:^|\n)\s*(?:import|export)\s[^;]*?from\s+['"]([^'"]+)['"]/g)].map(([, spec]) =>
    spec.startsWith('.') ? resolve(dirname(file), spec) : spec,
  );
}

/**
 * Whether a core/ module reaches zod. zod completes its schemas lazily, which a frozen (shared)
 * schema refuses: modules with schemas stay each workflow's own.
 */
function reachesZod(file, seen = new Set()) {
  if (seen.has(file)) return false;
  seen.add(file);
  return importsOf(file).some((spec) => spec === 'zod' || spec.startsWith('zod/') || (spec.startsWith(core) && reachesZod(spec, seen)));
}

// core/ is pure logic with no state of a workflow's own (its only module state is a cache of
// compiled regexes and the budget of the one expression evaluating now, which is synchronous).
// The core/ modules the workflows use, as a first bundle names them, are shared in the second.
const first = await bundle(STATELESS_LIBRARIES);
// Webpack names a module by its path from the directory it ran in.
const coreModules = [...new Set([...first.code.matchAll(/^\/\*\*\*\/ "([^"]*dist\/core\/[^"]+\.js)"/gm)].map((m) => resolve(process.cwd(), m[1])))]
  .filter((path) => path.startsWith(core) && !reachesZod(path))
  .sort();
if (coreModules.length === 0) throw new Error('bundle-workflows: found no core/ module to share in the workflow bundle; its module ids changed form');
const { code } = await bundle([...STATELESS_LIBRARIES, ...coreModules]);
await writeFile(join(root, 'dist', 'workflow-bundle.js'), code);
