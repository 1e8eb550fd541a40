// Failures as a user sees them: one line on stderr, exit 1 for bad input, 2 for bad usage, no
// stack trace unless --debug; verify names the error code and byte offset of a corrupted file.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TELEPORT_WEB, run, tempDir } from './cli-helpers.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());
const good = join(tmp.dir, 'vim.tar');

beforeAll(async () => {
  const imported = await run(['import', '--from', 'legacy', join(TELEPORT_WEB, 'vim.tty.events.json'), join(TELEPORT_WEB, 'vim.tty.stream'), '-o', good]);
  expect(imported.code).toBe(0);
});

function oneLine(stderr: string): string {
  const lines = stderr.trimEnd().split('\n');
  expect(lines).toHaveLength(1);
  expect(stderr).not.toMatch(/\n\s+at /);
  return lines[0]!;
}

describe('bad input: exit 1, one line', () => {
  it('missing file', async () => {
    const r = await run(['export', join(tmp.dir, 'nope.tar'), '--format', 'text']);
    expect(r.code).toBe(1);
    expect(oneLine(r.stderr)).toBe(`auditcast export: ${join(tmp.dir, 'nope.tar')}: no such file or directory, and not a session id [NOT_FOUND]`);
  });

  it('unknown session id', async () => {
    const r = await run(['verify', '00000000-0000-4000-8000-000000000000', '--data-dir', tmp.dir]);
    expect(r.code).toBe(1);
    expect(oneLine(r.stderr)).toMatch(/no recording for session 00000000-0000-4000-8000-000000000000 in /);
  });

  it('missing import input', async () => {
    const r = await run(['import', '--from', 'asciicast', join(tmp.dir, 'missing.cast')]);
    expect(r.code).toBe(1);
    expect(oneLine(r.stderr)).toBe(`auditcast import: ${join(tmp.dir, 'missing.cast')}: no such file`);
  });

  it('a file that is not a recording', async () => {
    const file = join(tmp.dir, 'text.txt');
    writeFileSync(file, 'hello, this is not a recording at all\n');
    const r = await run(['verify', file]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/UNSUPPORTED|CORRUPTED/);
  });

  it('export of a file that is not a recording', async () => {
    const file = join(tmp.dir, 'notes.txt');
    writeFileSync(file, 'just some notes, not a recording\n');
    const r = await run(['export', file, '-f', 'text']);
    expect(r.code).toBe(1);
    expect(oneLine(r.stderr)).toMatch(/^auditcast export: .*notes\.txt: not a session recording \(neither a ProtoStream part header nor a tar archive/);
  });

  it('an --out file that cannot be created', async () => {
    const r = await run(['export', good, '-f', 'text', '-o', join(tmp.dir, 'no', 'such', 'dir', 'x.txt')]);
    expect(r.code).toBe(1);
    expect(oneLine(r.stderr)).toBe(`auditcast export: ${join(tmp.dir, 'no', 'such', 'dir', 'x.txt')}: no such file or directory [NOT_FOUND]`);
  });

  it('a timing file that does not match its typescript', async () => {
    const timing = join(tmp.dir, 'x.timing');
    const typescript = join(tmp.dir, 'x.typescript');
    writeFileSync(timing, '0.1 5\n0.2 500\n');
    writeFileSync(typescript, 'Script started on 2024-01-01 00:00:00+00:00\nhello world\n');
    const r = await run(['import', '--from', 'script', timing, typescript, '-o', join(tmp.dir, 'x.tar')]);
    expect(r.code).toBe(1);
    expect(oneLine(r.stderr)).toMatch(/the timing file covers 505 bytes after the header but the typescript has only 12/);
  });
});

describe('bad usage: exit 2', () => {
  it.each([
    [['frobnicate'], /^auditcast: unknown command "frobnicate"/],
    [['export', good], /--format is required/],
    [['export', good, '--format', 'mp4'], /--format must be one of json, asciicast, text, txt, screen, got "mp4"/],
    [['export', good, '--format', 'text', '--colour'], /Unknown option '--colour'/],
    [['export'], /missing SESSION or FILE/],
    [['import', good], /--from is required/],
    [['import', '--from', 'script', good], /needs two files: TIMING and TYPESCRIPT/],
    [['search', '--from', 'yesterday-ish'], /--from: cannot read "yesterday-ish" as a time/],
    [['search', '--limit=-3'], /--limit must be a number >= 0/],
    [['search', '--limit', '-3'], /--limit needs a value \(write --limit=VALUE/],
    [['verify', good, 'extra'], /unexpected argument "extra"/],
  ])('%j', async (args, message) => {
    const r = await run(args as string[]);
    expect(r.code).toBe(2);
    expect(r.stderr.split('\n')[0]).toMatch(message);
    expect(r.stderr).toMatch(/Run 'auditcast( \w+)? --help' for usage\./);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('no command prints the command list on stderr', async () => {
    const r = await run([]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^Usage: auditcast COMMAND/);
  });
});

describe('corrupted recordings', () => {
  it('verify reports the error code and the offset of the bad part', async () => {
    const bytes = readFileSync(good);
    const bad = Buffer.from(bytes);
    // Flip bytes in the middle of the gzip data of the only part (it starts at byte 0).
    for (let i = 200; i < 240; i++) bad[i] = bad[i]! ^ 0xff;
    const file = join(tmp.dir, 'corrupted.tar');
    writeFileSync(file, bad);
    const r = await run(['verify', file]);
    expect(r.code).toBe(1);
    expect(r.stdout.toString()).toMatch(/status\s+CORRUPTED/);
    expect(oneLine(r.stderr)).toMatch(new RegExp(`^auditcast verify: ${file}: part 1 \\(at byte 0\\): .* \\[CORRUPTED\\]$`));
    const json = await run(['verify', file, '--json']);
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout.toString())).toMatchObject({ ok: false, error: { code: 'CORRUPTED', offset: 0 } });
  });

  it('verify names the offset of a truncated second part', async () => {
    const two = join(tmp.dir, 'two.tar');
    const inputs = [join(TELEPORT_WEB, 'npm.tty.events.json'), join(TELEPORT_WEB, 'npm.tty.stream')];
    expect((await run(['import', '--from', 'legacy', ...inputs, '-o', two, '--part-size', '8192'])).code).toBe(0);
    const bytes = readFileSync(two);
    // The second part starts after the first one's header, gzip data and padding.
    const second = 24 + Number(bytes.readBigUInt64BE(8)) + Number(bytes.readBigUInt64BE(16));
    expect(bytes.readBigUInt64BE(second)).toBe(1n);
    const file = join(tmp.dir, 'truncated.tar');
    writeFileSync(file, bytes.subarray(0, second + 100));
    const r = await run(['verify', file, '--json']);
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout.toString()) as { parts: number; error: { code: string; offset: number; message: string } };
    expect(report.error.code).toBe('CORRUPTED');
    expect(report.error.offset).toBe(second);
    expect(report.parts).toBe(1);
    expect(r.stderr).toBe(`auditcast verify: ${file}: part 2 (at byte ${second}): data truncated, expected to read ${Number(bytes.readBigUInt64BE(second + 8))} bytes, but got 76 [CORRUPTED]\n`);
  });

  it('--debug adds the stack trace', async () => {
    const r = await run(['export', join(tmp.dir, 'nope.tar'), '-f', 'text', '--debug']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/\n\s+at /);
  });
});

describe('--help', () => {
  it.each(['record', 'play', 'export', 'import', 'ls', 'search', 'verify', 'bench'])('%s --help', async (name) => {
    const r = await run([name, '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout.toString()).toMatch(new RegExp(`^Usage: auditcast ${name}`));
    expect(r.stdout.toString()).toMatch(/--data-dir DIR/);
  });

  it('auditcast --help lists every command', async () => {
    const r = await run(['--help']);
    expect(r.code).toBe(0);
    for (const name of ['record', 'play', 'export', 'import', 'ls', 'search', 'verify', 'bench']) expect(r.stdout.toString()).toContain(`  ${name}`);
  });
});
