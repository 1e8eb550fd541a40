#!/usr/bin/env node
// The auditcast command. The code lives in dist/cli (built from lib/cli by `npm run build:ts`,
// which `npm install` runs through the prepare script).
let main;
try {
  ({ main } = await import('../dist/cli/main.js'));
} catch (err) {
  if (err?.code !== 'ERR_MODULE_NOT_FOUND' || !String(err.message).includes('dist')) throw err;
  process.stderr.write('auditcast: not built yet (dist/cli/main.js is missing); run `npm run build:ts` in the package directory\n');
  process.exit(1);
}
process.exitCode = await main(process.argv.slice(2));
