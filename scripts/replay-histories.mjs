#!/usr/bin/env node
// Replays saved workflow histories against the built workflow bundle (dist/workflow-bundle.js)
// and prints one JSON line per history: {"file", "ok", "error"?, "errorName"?}.
// Usage: node scripts/replay-histories.mjs FILE.json...
// A plain Node process, as a worker loads the bundle; independent of jest's module registry.
// protobufjs is a direct dependency of the project so that @temporalio/common and
// @temporalio/proto share one copy: with two, history JSON conversion fails ("type must be a Type").
import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DefaultLogger, Runtime, Worker } from '@temporalio/worker';

Runtime.install({ logger: new DefaultLogger('ERROR') });
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const files = process.argv.slice(2);
const histories = await Promise.all(
  files.map(async (file) => ({ workflowId: file, history: JSON.parse(await readFile(file, 'utf8')) })),
);
let failed = 0;
for await (const r of Worker.runReplayHistories({ workflowBundle: { codePath: join(root, 'dist', 'workflow-bundle.js') } }, histories)) {
  if (r.error) failed++;
  process.stdout.write(
    `${JSON.stringify(r.error ? { file: r.workflowId, ok: false, errorName: r.error.name, error: r.error.message } : { file: r.workflowId, ok: true })}\n`,
  );
}
process.exit(failed ? 1 : 0);
