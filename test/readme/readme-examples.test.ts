// The README's code blocks are run, so they never rot: each ```js block runs as an ES module in an
// empty directory where `auditcast` resolves to this package (dist/, built by the CLI test setup),
// and the text of every `// → text` comment must appear in the output. Runs on both codec backends.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');

interface Block {
  heading: string;
  code: string;
}

function jsBlocks(markdown: string): Block[] {
  const blocks: Block[] = [];
  let heading = '';
  const lines = markdown.split('\n');
  for (let i = 0; i < lines.length; i++) {
    if (lines[i].startsWith('#')) heading = lines[i].replace(/^#+\s*/, '');
    if (lines[i].trim() !== '```js') continue;
    const body: string[] = [];
    for (i++; i < lines.length && lines[i].trim() !== '```'; i++) body.push(lines[i]);
    blocks.push({ heading, code: body.join('\n') });
  }
  return blocks;
}

/** `console.log(...); // → text`: the text that output must hold. */
function expectedOutputs(code: string): string[] {
  return code.split('\n').filter((line) => line.includes('// → ')).map((line) => line.slice(line.indexOf('// → ') + 5).trim());
}

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

const blocks = jsBlocks(readFileSync(join(ROOT, 'README.md'), 'utf8'));

describe('README examples', () => {
  it('has code blocks for every library section', () => {
    expect(new Set(blocks.map((b) => b.heading))).toEqual(new Set([
      'Install and test', 'Record a session', 'Read a recording', 'Events and their JSON form', 'The audit log and search', 'Storage',
    ]));
  });

  it.each(blocks.map((b, i) => [`${i + 1}. ${b.heading}`, b] as const))('%s runs', (_name, block) => {
    const dir = mkdtempSync(join(tmpdir(), 'auditcast-readme-'));
    dirs.push(dir);
    mkdirSync(join(dir, 'node_modules'));
    symlinkSync(ROOT, join(dir, 'node_modules', 'auditcast'), 'dir');
    writeFileSync(join(dir, 'example.mjs'), block.code);
    const result = spawnSync(process.execPath, ['example.mjs'], { cwd: dir, encoding: 'utf8', timeout: 60_000 });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    for (const expected of expectedOutputs(block.code)) expect(result.stdout).toContain(expected);
  });
});
