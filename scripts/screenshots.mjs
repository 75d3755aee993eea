#!/usr/bin/env node
// `npm run screenshots`: regenerates docs/screenshots/*.png. Runs test/e2e/screenshots.test.ts
// (a real stack with the three-stage example, driven in headless Chromium) with its output
// pointed at docs/screenshots; as a test on its own it writes to test-output/screenshots.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const result = spawnSync(
  process.execPath,
  ['--experimental-vm-modules', 'node_modules/jest/bin/jest.js', 'test/e2e/screenshots.test.ts', '--selectProjects', 'e2e', '--forceExit'],
  { cwd: root, stdio: 'inherit', env: { ...process.env, SHUNT_SCREENSHOTS_DIR: 'docs/screenshots' } },
);
if (result.status === 0) process.stdout.write('screenshots: written to docs/screenshots/\n');
process.exit(result.status ?? 1);
