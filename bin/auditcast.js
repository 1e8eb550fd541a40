#!/usr/bin/env node
// The auditcast command. The code lives in dist/cli (built from lib/cli by `npm run build:ts`).
import { main } from '../dist/cli/main.js';

const code = await main(process.argv.slice(2));
process.exitCode = code;
