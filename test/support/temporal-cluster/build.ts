/**
 * The Temporal server and temporal-sql-tool that scripts/build-temporal-server.sh builds once per
 * machine (cached outside the clone, keyed by version). The version is pinned in that script
 * alone; docker-compose.yml pins the same one (test/unit/docker-compose.test.ts checks).
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../../../launcher/temporal-binary.js';

export const BUILD_SCRIPT = join(projectRoot, 'scripts', 'build-temporal-server.sh');

/** The Temporal server version the project pins (`VERSION=` in the build script). */
export function pinnedTemporalVersion(): string {
  const match = /^VERSION=(\d+\.\d+\.\d+)$/m.exec(readFileSync(BUILD_SCRIPT, 'utf8'));
  if (!match) throw new Error(`${BUILD_SCRIPT} has no VERSION=x.y.z line`);
  return match[1]!;
}

export interface TemporalBuild {
  version: string;
  server: string;
  sqlTool: string;
}

/** The cached build; throws saying how to make it when it is not there. */
export function builtTemporal(): TemporalBuild {
  const version = pinnedTemporalVersion();
  const r = spawnSync(BUILD_SCRIPT, ['--print'], { encoding: 'utf8' });
  if (r.status !== 0) {
    throw new Error(
      `Temporal server v${version} is not built on this machine: run scripts/build-temporal-server.sh ` +
        '(needs Go; ~12 min once, cached per machine; .ci/run does it)',
    );
  }
  const dir = r.stdout.trim();
  const built = readFileSync(join(dir, 'VERSION'), 'utf8').trim();
  if (built !== version) throw new Error(`${dir} holds Temporal ${built}, not the pinned ${version}`);
  return { version, server: join(dir, 'bin', 'temporal-server'), sqlTool: join(dir, 'bin', 'temporal-sql-tool') };
}
