/** One jest project per test layer; see STYLE.md §3. */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { realKubeNotRun } from './test/support/real-kube/not-run.mjs';

// The real-kube suites need the servers scripts/build-kube-tools.sh builds (Go): without them they
// are left out with a notice (global-teardown repeats it), and in CI they run and fail saying why.
const notRun = realKubeNotRun();
const base = {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  setupFiles: ['<rootDir>/test/support/quiet-temporal.ts'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true, diagnostics: false }],
  },
};
/**
 * The cluster suite runs Shunt on a Temporal server built from source with Go
 * (scripts/build-temporal-server.sh, cached per machine). Where it is not built it cannot run:
 * npm test says so; with CI=true the suite runs anyway and fails, saying how to build it.
 */
const temporalBuilt = spawnSync(fileURLToPath(new URL('scripts/build-temporal-server.sh', import.meta.url)), ['--print']).status === 0;
const clusterSuites = temporalBuilt || process.env.CI === 'true';
if (!clusterSuites) {
  process.stderr.write(
    '\n*** NOT RUN on this machine: test/cluster (Shunt on a Temporal cluster with PostgreSQL): the Temporal server is not built.\n' +
      '*** Build it once with scripts/build-temporal-server.sh (needs Go 1.26+; ~12 min cold). CI=true makes this an error.\n\n',
  );
}

export default {
  ...base,
  testTimeout: 120000,
  maxWorkers: 2,
  globalSetup: '<rootDir>/test/support/global-setup.mjs',
  globalTeardown: '<rootDir>/test/support/global-teardown.mjs',
  projects: [
    { ...base, displayName: 'unit', testMatch: ['<rootDir>/test/unit/**/*.test.ts'] },
    // Reads README, the examples and .ci/run: apart from unit, so the inner loop stays on core/.
    { ...base, displayName: 'docs', testMatch: ['<rootDir>/test/docs/**/*.test.ts'] },
    { ...base, displayName: 'activities', testMatch: ['<rootDir>/test/activities/**/*.test.ts'] },
    { ...base, displayName: 'workflows', testMatch: ['<rootDir>/test/workflows/**/*.test.ts'] },
    { ...base, displayName: 'replay', testMatch: ['<rootDir>/test/replay/**/*.test.ts'] },
    { ...base, displayName: 'api', testMatch: ['<rootDir>/test/api/**/*.test.ts'] },
    { ...base, displayName: 'e2e', testMatch: ['<rootDir>/test/e2e/**/*.test.ts'] },
    { ...base, displayName: 'crash', testMatch: ['<rootDir>/test/crash/**/*.test.ts'] },
    { ...base, displayName: 'fault', testMatch: ['<rootDir>/test/fault/**/*.test.ts'] },
    { ...base, displayName: 'load', testMatch: ['<rootDir>/test/load/**/*.test.ts'] },
    ...(clusterSuites ? [{ ...base, displayName: 'cluster', testMatch: ['<rootDir>/test/cluster/**/*.test.ts'] }] : []),
    ...(notRun ? [] : [{ ...base, displayName: 'realkube', testMatch: ['<rootDir>/test/realkube/**/*.test.ts'] }]),
  ],
};
