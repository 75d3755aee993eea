#!/usr/bin/env node
// Bundles the compiled workflows (dist/workflows/index.js) once, so workers and replay tests
// load dist/workflow-bundle.js instead of running webpack at every start.
import { writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleWorkflowCode } from '@temporalio/worker';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { code } = await bundleWorkflowCode({
  workflowsPath: join(root, 'dist', 'workflows', 'index.js'),
  // Reports each workflow's end to the worker's metrics (worker/metrics.ts).
  workflowInterceptorModules: [join(root, 'dist', 'workflows', 'metrics-interceptor.js')],
  // The worker needs an inline source map, but not the sources in it: without them the bundle
  // is 1.9 MB instead of 4.5 MB, and a worker holds about 35 MB less (bench/README.md).
  webpackConfigHook: (config) => ({ ...config, devtool: 'inline-nosources-cheap-source-map' }),
  logger: { log() {}, trace() {}, debug() {}, info() {}, warn: console.warn, error: console.error },
});
await writeFile(join(root, 'dist', 'workflow-bundle.js'), code);
