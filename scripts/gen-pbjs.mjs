#!/usr/bin/env node
// Builds protobufjs static code from the committed proto/events.proto into proto/generated/ (not
// committed: it is 1.2 MB of generated code). Used by the tests as an independent decoder and by
// the benchmarks as the "naive" driver. int64 fields come out as JS numbers (--force-number).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const proto = join(root, 'proto', 'events.proto');
const outDir = join(root, 'proto', 'generated');
const out = join(outDir, 'events.pb.js');
if (existsSync(out) && statSync(out).mtimeMs >= statSync(proto).mtimeMs && !process.argv.includes('--force')) process.exit(0);

let pbjs;
try {
  pbjs = join(dirname(createRequire(import.meta.url).resolve('protobufjs-cli/package.json')), 'bin', 'pbjs');
} catch {
  console.log('protobufjs-cli is not installed (dev dependency); skipping static code generation');
  process.exit(0);
}
mkdirSync(outDir, { recursive: true });
execFileSync(process.execPath, [pbjs, '-t', 'static-module', '-w', 'es6', '--force-number', '--keep-case',
  '--no-verify', '--no-convert', '--no-delimited', '--no-typeurl', '--no-service', '--no-comments',
  '-o', out, proto], { stdio: 'inherit' });
console.log(`wrote ${out}`);
