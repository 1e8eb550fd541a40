// --out never destroys data: not onto the command's own input (same inode, even through another
// name, even with --force), not onto an existing file without --force, and never half-written.
import { copyFileSync, linkSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CORPUS, run, tempDir } from './cli-helpers.js';

const tmp = tempDir('auditcast-out-');
afterAll(() => tmp.cleanup());
const tar = join(tmp.dir, 'typing.tar');

beforeAll(async () => {
  expect((await run(['import', '--from', 'script', join(CORPUS, 'typing.timing'), join(CORPUS, 'typing.typescript'), '-o', tar])).code).toBe(0);
});

describe('export --out', () => {
  it('refuses to write over its own input, also through a hard link and with --force', async () => {
    const before = readFileSync(tar);
    const alias = join(tmp.dir, 'alias.tar');
    linkSync(tar, alias);
    for (const args of [['-o', tar], ['-o', alias, '--force']]) {
      const r = await run(['export', tar, '-f', 'json', ...args]);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/is the input .*typing\.tar: refusing to write over it/);
      expect(readFileSync(tar).equals(before)).toBe(true);
    }
  });

  it('needs --force to replace an existing file, and replaces it whole', async () => {
    const target = join(tmp.dir, 'out.txt');
    writeFileSync(target, 'precious');
    const refused = await run(['export', tar, '-f', 'text', '-o', target]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toBe(`auditcast export: ${target} already exists; use --force to replace it\n`);
    expect(readFileSync(target, 'utf8')).toBe('precious');
    const forced = await run(['export', tar, '-f', 'text', '-o', target, '--force']);
    expect(forced.code).toBe(0);
    expect(readFileSync(target)).toEqual((await run(['export', tar, '-f', 'text'])).stdout);
  });

  it('leaves no file and no temporary file when the input is corrupt', async () => {
    const broken = join(tmp.dir, 'broken.tar');
    const bytes = readFileSync(tar);
    writeFileSync(broken, bytes.subarray(0, Math.floor(bytes.length / 2)));
    const dir = join(tmp.dir, 'half');
    mkdirSync(dir);
    const r = await run(['export', broken, '-f', 'json', '-o', join(dir, 'x.json')]);
    expect(r.code).toBe(1);
    expect(readdirSync(dir)).toEqual([]);
  });
});

describe('import --out', () => {
  it('refuses to write over one of its inputs, even with --force', async () => {
    const cast = join(tmp.dir, 'in.cast');
    const original = (await run(['export', tar, '-f', 'asciicast'])).stdout;
    writeFileSync(cast, original);
    const before = statSync(cast);
    const r = await run(['import', '--from', 'asciicast', cast, '-o', cast, '--force']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/in\.cast is the input .*in\.cast: refusing to write over it/);
    expect(statSync(cast).mtimeMs).toBe(before.mtimeMs);
    expect(readFileSync(cast).equals(original)).toBe(true);
  });

  it('needs --force to replace an existing file', async () => {
    const target = join(tmp.dir, 'exists.tar');
    copyFileSync(tar, target);
    writeFileSync(target, 'keep me');
    const r = await run(['import', '--from', 'script', join(CORPUS, 'typing.timing'), join(CORPUS, 'typing.typescript'), '-o', target]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/exists\.tar already exists.*use --force/);
    expect(readFileSync(target, 'utf8')).toBe('keep me');
    const forced = await run(['import', '--from', 'script', join(CORPUS, 'typing.timing'), join(CORPUS, 'typing.typescript'), '-o', target, '--force']);
    expect(forced.code).toBe(0);
    expect(readFileSync(target).equals(readFileSync(tar))).toBe(true);
  });
});
