// Builds the console's web app (web/) into dist/web: bundled, minified scripts (esbuild), the
// stylesheets and index.html. No CDN: everything the page loads comes from this directory.
import { build } from 'esbuild';
import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'dist', 'web');
const assets = join(out, 'assets');
// Chunk names change with their content: start clean so old ones do not pile up.
rmSync(assets, { recursive: true, force: true });
mkdirSync(assets, { recursive: true });
await build({
  entryPoints: [join(root, 'web', 'src', 'main.ts')],
  bundle: true,
  minify: true,
  sourcemap: true,
  format: 'esm',
  target: ['es2022'],
  // The player (xterm.js, most of the bytes) is its own chunk, loaded only by the player page.
  splitting: true,
  entryNames: 'app',
  chunkNames: 'chunk-[hash]',
  outdir: assets,
  logLevel: 'warning',
});
const require = createRequire(import.meta.url);
copyFileSync(require.resolve('@xterm/xterm/css/xterm.css'), join(assets, 'xterm.css'));
copyFileSync(join(root, 'web', 'app.css'), join(assets, 'app.css'));
copyFileSync(join(root, 'web', 'index.html'), join(out, 'index.html'));
console.log(`web app built in ${out}`);
