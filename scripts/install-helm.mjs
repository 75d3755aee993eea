#!/usr/bin/env node
// Finds, or builds project-locally, the `helm` binary the helm-template and helm-update-chart
// steps run (Debian packages no helm). Order: $SHUNT_HELM_PATH, PATH, .tools/bin/helm, else
// `go install helm.sh/helm/v3/cmd/helm@<version>` into .tools/bin through the Go module proxy.
//
// Usage: node scripts/install-helm.mjs          (also called by scripts/install-tools.mjs)
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const HELM_VERSION = 'v3.17.3';
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const bin = join(root, '.tools', 'bin');

function isExecutable(p) {
  try {
    return statSync(p).isFile() && (statSync(p).mode & 0o111) !== 0;
  } catch {
    return false;
  }
}

export function findHelm() {
  if (process.env.SHUNT_HELM_PATH && isExecutable(process.env.SHUNT_HELM_PATH)) return process.env.SHUNT_HELM_PATH;
  for (const dir of (process.env.PATH ?? '').split(delimiter)) if (dir && isExecutable(join(dir, 'helm'))) return join(dir, 'helm');
  return isExecutable(join(bin, 'helm')) ? join(bin, 'helm') : undefined;
}

/** Returns the path of helm, building it when needed; throws saying what to do. */
export function ensureHelm(log = (m) => process.stdout.write(`shunt tools: ${m}\n`)) {
  const found = findHelm();
  if (found) return found;
  const go = spawnSync('go', ['version'], { encoding: 'utf8' });
  if (go.status !== 0) {
    throw new Error(
      `helm is not installed and Go is not there to build it. Install Go (https://go.dev) and run node scripts/install-helm.mjs, or put a helm ${HELM_VERSION} binary on PATH or in SHUNT_HELM_PATH.`,
    );
  }
  mkdirSync(bin, { recursive: true });
  log(`building helm ${HELM_VERSION} into .tools/bin with go install (a few minutes, once)`);
  const r = spawnSync('go', ['install', `helm.sh/helm/v3/cmd/helm@${HELM_VERSION}`], {
    env: { ...process.env, GOBIN: bin, CGO_ENABLED: '0' },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (r.status !== 0 || !existsSync(join(bin, 'helm'))) {
    throw new Error(`go install helm.sh/helm/v3/cmd/helm@${HELM_VERSION} failed: ${(r.stderr ?? '').trim().split('\n').slice(-3).join(' ')}`);
  }
  return join(bin, 'helm');
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    process.stdout.write(`shunt tools: helm: ${ensureHelm()}\n`);
  } catch (err) {
    process.stderr.write(`shunt tools: ${err.message}\n`);
    process.exit(1);
  }
}
