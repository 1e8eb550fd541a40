#!/usr/bin/env node
// The package's "install" script. Loads a prebuilt addon (prebuilds/) or compiles one (build/Release)
// through node-gyp-build; when that fails it prints ONE warning with the reason and exits 0, so a
// failed native build never fails `npm install`: auditcast then runs on its pure-JS codec
// (lib/codec/index.ts reports `backend === 'js'` and the reason).
// AUDITCAST_SKIP_NATIVE_BUILD=1 skips the build altogether.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

function warn(reason) {
  console.warn(`auditcast: native addon not available, using the pure-JS codec (${reason})`);
  process.exit(0);
}

if (process.env.AUDITCAST_SKIP_NATIVE_BUILD === '1') warn('AUDITCAST_SKIP_NATIVE_BUILD=1');

let bin;
try {
  bin = createRequire(import.meta.url).resolve('node-gyp-build/bin.js');
} catch {
  warn('node-gyp-build is not installed');
}

// Node's own headers next to the node binary (distro packages, official tarballs) spare node-gyp a
// download of the headers, so the addon builds offline.
const env = { ...process.env };
const prefix = join(dirname(process.execPath), '..');
if (!env.npm_config_nodedir && existsSync(join(prefix, 'include', 'node', 'common.gypi'))) env.npm_config_nodedir = prefix;

const verbose = process.env.npm_config_loglevel === 'verbose' || process.env.npm_config_loglevel === 'silly';
const child = spawn(process.execPath, [bin], { cwd: root, env, stdio: verbose ? 'inherit' : ['ignore', 'pipe', 'pipe'] });
let output = '';
child.stdout?.on('data', (d) => { output += d; });
child.stderr?.on('data', (d) => { output += d; });
child.on('error', (err) => warn(err.message));
child.on('close', (code, signal) => {
  if (code === 0) return;
  // The most telling line: the first compiler error, else the last gyp error, else the exit status.
  const lines = output.split('\n').map((l) => l.trim()).filter(Boolean);
  const reason = lines.find((l) => /\berror\b/i.test(l) && !l.startsWith('gyp '))
    ?? lines.find((l) => l.startsWith('gyp ERR! stack Error:'))?.slice('gyp ERR! stack '.length)
    ?? lines.filter((l) => l.startsWith('gyp ERR!')).slice(-1)[0]
    ?? `node-gyp-build exited with ${signal ?? code}`;
  warn(`${reason.slice(0, 300)}; run \`npm rebuild auditcast --loglevel verbose\` for the full log`);
});
