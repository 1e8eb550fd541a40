// One error style everywhere (issue 11 item 21): each kind of bad input gets the same code and the
// same words from every command that reads a recording, always naming the file, as one line
// `auditcast CMD: FILE: WHAT [CODE]`; `verify --json` says it as JSON too.
import { chmodSync, mkdirSync, readFileSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeTar } from '../../lib/auditlog/tar.js';
import { TELEPORT_WEB, run, tempDir } from './cli-helpers.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());
const dir = realpathSync(tmp.dir);
const dataDir = join(dir, 'data');
/** The user who cannot read the file has a data dir of its own (root's index dir is closed to it). */
const nobodyDataDir = join(dir, 'data-nobody');
const good = join(dir, 'vim.tar');
/** Root reads any file: the unreadable case runs as nobody then. */
const asNobody = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};

const COMMANDS: readonly (readonly string[])[] = [
  ['verify'],
  ['play', '--speed', '64'],
  ['export', '--format', 'json'],
  ['export', '--format', 'txt'],
  ['index'],
];

interface Case {
  kind: string;
  /** Makes the bad input; returns its path. */
  make: () => string;
  code: string;
  words: string | RegExp;
  env?: typeof asNobody;
}

function gzipDataOfFirstPart(bytes: Buffer): { start: number; size: number } {
  return { start: 24, size: Number(bytes.readBigUInt64BE(8)) };
}

const CASES: Case[] = [
  { kind: 'empty file', make: () => write('empty.tar', Buffer.alloc(0)), code: 'CORRUPTED', words: 'empty file, not a recording' },
  {
    kind: 'truncated', code: 'CORRUPTED',
    make: () => write('truncated.tar', readFileSync(good).subarray(0, 1000)),
    words: /^part 1 \(at byte 0\): data truncated, expected to read \d+ bytes, but got 976$/,
  },
  {
    kind: 'bad CRC', code: 'CORRUPTED',
    make: () => {
      const bytes = Buffer.from(readFileSync(good));
      const { start, size } = gzipDataOfFirstPart(bytes);
      bytes[start + size - 8] ^= 0xff; // the gzip member's CRC-32
      return write('bad-crc.tar', bytes);
    },
    words: /^part 1 \(at byte 0\): .*(?:crc|check)/i,
  },
  {
    kind: 'not a tar', code: 'CORRUPTED',
    make: () => write('notes.tar', Buffer.from('hello, just some notes\n')),
    words: 'not a session recording (neither a ProtoStream part header nor a tar archive (first bytes 68656c6c6f2c206a))',
  },
  {
    kind: 'a tar that is not a Teleport recording', code: 'CORRUPTED',
    make: () => write('photos.tar', writeTar([{ name: 'photos/cat.txt', data: Buffer.from('meow') }])),
    words: 'not a Teleport recording: the tar archive has no <session-id>.index or .events entries (it holds photos/cat.txt)',
  },
  {
    kind: 'a directory', code: 'BAD_PARAMETER',
    make: () => {
      mkdirSync(join(dir, 'folder.tar'));
      return join(dir, 'folder.tar');
    },
    words: 'is a directory',
  },
  {
    kind: 'unreadable file', code: 'ACCESS_DENIED', env: asNobody,
    make: () => {
      const file = write('secret.tar', readFileSync(good));
      chmodSync(file, 0o000);
      return file;
    },
    words: 'permission denied',
  },
  {
    kind: 'dangling link', code: 'NOT_FOUND',
    make: () => {
      symlinkSync(join(dir, 'gone.tar'), join(dir, 'dangling.tar'));
      return join(dir, 'dangling.tar');
    },
    words: `no such file or directory (a symbolic link to ${join(dir, 'gone.tar')}, which does not exist)`,
  },
  {
    kind: 'missing file', code: 'NOT_FOUND',
    make: () => join(dir, 'nowhere.tar'),
    words: 'no such file or directory, and not a session id',
  },
];

function write(name: string, data: Buffer): string {
  const file = join(dir, name);
  writeFileSync(file, data);
  return file;
}

const inputs = new Map<string, string>();

beforeAll(async () => {
  const imported = await run(['import', '--from', 'legacy', join(TELEPORT_WEB, 'vim.tty.events.json'), join(TELEPORT_WEB, 'vim.tty.stream'), '-o', good]);
  expect(imported.code).toBe(0);
  // Another user (nobody) must reach the files and write the index.
  chmodSync(dir, 0o755);
  for (const d of [dataDir, nobodyDataDir]) {
    mkdirSync(d, { mode: 0o777 });
    chmodSync(d, 0o777);
  }
  for (const c of CASES) inputs.set(c.kind, c.make());
});

describe.each(CASES)('$kind', (c) => {
  it.each(COMMANDS.map((args) => [args.join(' '), args] as const))('%s: one line, same code and words, naming the file', async (_, args) => {
    const file = inputs.get(c.kind)!;
    const r = await run([...args, file, '--data-dir', c.env?.uid === undefined ? dataDir : nobodyDataDir], { ...c.env, env: { HOME: dir } });
    expect(r.code).toBe(1);
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines, r.stderr).toHaveLength(1);
    const m = /^auditcast ([a-z]+): (.*) \[([A-Z_]+)\]$/.exec(lines[0]!);
    expect(m, lines[0]).not.toBeNull();
    expect(m![1]).toBe(args[0]);
    expect(m![3]).toBe(c.code);
    expect(m![2]!.startsWith(`${file}: `), m![2]).toBe(true);
    const words = m![2]!.slice(file.length + 2);
    if (typeof c.words === 'string') expect(words).toBe(c.words);
    else expect(words).toMatch(c.words);
    expect(lines[0]).not.toMatch(/\.tmp\b|ENOENT|EACCES|EISDIR|ELOOP/);
  });

  it('verify --json prints the same as JSON', async () => {
    const file = inputs.get(c.kind)!;
    const r = await run(['verify', '--json', file, '--data-dir', c.env?.uid === undefined ? dataDir : nobodyDataDir], { ...c.env, env: { HOME: dir } });
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout.toString()) as { ok: boolean; error: { code: string; message: string } };
    expect(report.ok).toBe(false);
    expect(report.error.code).toBe(c.code);
    expect(`auditcast verify: ${report.error.message} [${report.error.code}]`).toBe(r.stderr.trimEnd());
  });
});
