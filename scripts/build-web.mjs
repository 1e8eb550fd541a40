// Builds the console's web app (web/) into dist/web: bundled, minified scripts (esbuild), the
// stylesheets and index.html. No CDN: everything the page loads comes from this directory.
import { build } from 'esbuild';
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'dist', 'web');
const assets = join(out, 'assets');
// Chunk names change with their content: start clean so old ones do not pile up.
rmSync(assets, { recursive: true, force: true });
mkdirSync(assets, { recursive: true });
const { metafile } = await build({
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
  metafile: true,
});
const require = createRequire(import.meta.url);
copyFileSync(require.resolve('@xterm/xterm/css/xterm.css'), join(assets, 'xterm.css'));
copyFileSync(join(root, 'web', 'app.css'), join(assets, 'app.css'));
// The chunks app.js imports are announced in the page, so the browser fetches them with app.js
// instead of after it: one round trip less before any page asks the API.
const app = Object.entries(metafile.outputs).find(([file]) => file.endsWith('/app.js'));
const preloads = app[1].imports.filter((i) => i.kind === 'import-statement').map((i) => `<link rel="modulepreload" href="/assets/${i.path.split('/').pop()}">\n`);
const html = readFileSync(join(root, 'web', 'index.html'), 'utf8');
const entry = '<script type="module" src="/assets/app.js"></script>\n';
if (!html.includes(entry)) throw new Error('web/index.html: the app.js script tag moved');
writeFileSync(join(out, 'index.html'), html.replace(entry, `${preloads.join('')}${entry}`));
console.log(`web app built in ${out}`);
