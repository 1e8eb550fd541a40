// Builds the console's web app (web/) into dist/web: one bundled, minified script (esbuild), the
// stylesheets and index.html. No CDN: everything the page loads comes from this directory.
import { build } from 'esbuild';
import { copyFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'dist', 'web');
const assets = join(out, 'assets');
mkdirSync(assets, { recursive: true });
await build({
  entryPoints: [join(root, 'web', 'src', 'main.ts')],
  bundle: true,
  minify: true,
  sourcemap: true,
  format: 'esm',
  target: ['es2022'],
  outfile: join(assets, 'app.js'),
  logLevel: 'warning',
});
const require = createRequire(import.meta.url);
copyFileSync(require.resolve('@xterm/xterm/css/xterm.css'), join(assets, 'xterm.css'));
copyFileSync(join(root, 'web', 'app.css'), join(assets, 'app.css'));
copyFileSync(join(root, 'web', 'index.html'), join(out, 'index.html'));
console.log(`web app built in ${out}`);
