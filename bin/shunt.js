#!/usr/bin/env node
// The `shunt` command. `npm run build` (which `npm start` and `npm test` run) compiles cli/
// into dist/cli/.
import { existsSync } from 'node:fs';

const entry = new URL('../dist/cli/index.js', import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write('error: Shunt is not built yet: run `npm run build` in the checkout (npm start does it too)\n');
  process.exit(1);
}
const { main } = await import(entry.href);
await main();
