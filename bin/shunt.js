#!/usr/bin/env node
// The `shunt` command. `npm run build` compiles cli/ into dist/cli/.
import { main } from '../dist/cli/index.js';

await main();
