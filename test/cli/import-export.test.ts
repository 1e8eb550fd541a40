// import → verify → export on every real session we have: the script -T corpus (build, typing)
// and Teleport's legacy fixtures (vim, npm). Export text must give back the original bytes, and
// importing twice must give byte-identical recordings.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CORPUS, TELEPORT_WEB, UUID_LINE, run, scriptBody, tempDir } from './cli-helpers.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

interface Case {
  name: string;
  from: 'script' | 'legacy';
  inputs: string[];
  original: () => Buffer;
  events: number;
}

const cases: Case[] = [
  ...(['build', 'typing'] as const).map((name): Case => ({
    name,
    from: 'script',
    inputs: [join(CORPUS, `${name}.timing`), join(CORPUS, `${name}.typescript`)],
    original: () => scriptBody(readFileSync(join(CORPUS, `${name}.typescript`)), readFileSync(join(CORPUS, `${name}.timing`), 'utf8')),
    events: readFileSync(join(CORPUS, `${name}.timing`), 'utf8').trim().split('\n').length + 2,
  })),
  ...(['vim', 'npm'] as const).map((name): Case => ({
    name,
    from: 'legacy',
    inputs: [join(TELEPORT_WEB, `${name}.tty.events.json`), join(TELEPORT_WEB, `${name}.tty.stream`)],
    original: () => readFileSync(join(TELEPORT_WEB, `${name}.tty.stream`)),
    events: (JSON.parse(readFileSync(join(TELEPORT_WEB, `${name}.tty.events.json`), 'utf8')) as unknown[]).length,
  })),
];

describe.each(cases)('$name ($from)', ({ name, from, inputs, original, events }) => {
  const out1 = join(tmp.dir, `${name}-1.tar`);
  const out2 = join(tmp.dir, `${name}-2.tar`);

  it('imports, verifies and exports the original bytes', async () => {
    const imported = await run(['import', '--from', from, ...inputs, '--out', out1]);
    expect(imported.stderr).toMatch(/^imported \d+ events/);
    expect(imported.code).toBe(0);
    expect(imported.stdout.toString().trim()).toMatch(UUID_LINE);
    expect(existsSync(out1)).toBe(true);

    const verified = await run(['verify', out1, '--json']);
    expect(verified.code).toBe(0);
    const report = JSON.parse(verified.stdout.toString()) as Record<string, unknown>;
    expect(report).toMatchObject({ ok: true, events, printBytes: original().length, skippedEvents: 0, outOfOrderEvents: 0 });
    expect(['js', 'native']).toContain(report.backend);

    const text = await run(['export', out1, '--format', 'text']);
    expect(text.code).toBe(0);
    expect(text.stdout.equals(original())).toBe(true);
  });

  it('is deterministic: importing twice gives identical files', async () => {
    if (!existsSync(out1)) expect((await run(['import', '--from', from, ...inputs, '--out', out1])).code).toBe(0);
    const again = await run(['import', '--from', from, ...[...inputs].reverse(), '--out', out2]);
    expect(again.code).toBe(0);
    expect(readFileSync(out2).equals(readFileSync(out1))).toBe(true);
    // And the same bytes from the other codec backend (both when the native addon is built).
    const other = join(tmp.dir, `${name}-other.tar`);
    const forceJs = process.env.AUDITCAST_FORCE_JS === '1' ? undefined : '1';
    expect((await run(['import', '--from', from, ...inputs, '--out', other], { env: { AUDITCAST_FORCE_JS: forceJs } })).code).toBe(0);
    expect(readFileSync(other).equals(readFileSync(out1))).toBe(true);
  });

  it('keeps the bytes with small parts (--part-size)', async () => {
    const small = join(tmp.dir, `${name}-small.tar`);
    expect((await run(['import', '--from', from, ...inputs, '--out', small, '--part-size', '4096'])).code).toBe(0);
    const report = JSON.parse((await run(['verify', small, '--json'])).stdout.toString()) as { parts: number; ok: boolean };
    expect(report.ok).toBe(true);
    if (original().length > 60_000) expect(report.parts).toBeGreaterThan(1);
    const text = await run(['export', small, '-f', 'text', '-o', join(tmp.dir, `${name}.txt`)]);
    expect(text.code).toBe(0);
    expect(readFileSync(join(tmp.dir, `${name}.txt`)).equals(original())).toBe(true);
  });
});

describe('import into the data dir', () => {
  const data = join(tmp.dir, 'data');
  const inputs = [join(TELEPORT_WEB, 'vim.tty.events.json'), join(TELEPORT_WEB, 'vim.tty.stream')];

  it('stores records/<sid>.tar, writes session events to the audit log and refuses a second copy', async () => {
    const first = await run(['import', '--from', 'legacy', ...inputs, '--data-dir', data]);
    expect(first.code).toBe(0);
    const sid = first.stdout.toString().trim();
    expect(sid).toBe('516965e5-e6ef-11e9-9d5b-42010a80002b');
    expect(existsSync(join(data, 'records', `${sid}.tar`))).toBe(true);

    const second = await run(['import', '--from', 'legacy', ...inputs, '--data-dir', data]);
    expect(second.code).toBe(1);
    expect(second.stderr).toMatch(/already exists/);
    expect(second.stderr.trim().split('\n')).toHaveLength(1);

    // By session id, through AUDITCAST_DATA_DIR.
    const text = await run(['export', sid, '--format', 'text'], { env: { AUDITCAST_DATA_DIR: data } });
    expect(text.stdout.equals(readFileSync(join(TELEPORT_WEB, 'vim.tty.stream')))).toBe(true);

    const found = await run(['search', '--type', 'session.start,session.end', '--json', '--data-dir', data]);
    expect(found.code).toBe(0);
    const lines = found.stdout.toString().trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.map((l) => l.event)).toEqual(['session.start', 'session.end']);
    expect(lines[0]).toMatchObject({ sid, size: '80:25', uid: 'c5820501-2455-4fb1-a510-81e28b015753' });
  });
});

describe('legacy stream longer than its events', () => {
  it('imports what the print events cover and says how many bytes were dropped', async () => {
    const stream = join(tmp.dir, 'vim-longer.stream');
    const original = readFileSync(join(TELEPORT_WEB, 'vim.tty.stream'));
    writeFileSync(stream, Buffer.concat([original, Buffer.from('not printed')]));
    const out = join(tmp.dir, 'vim-longer.tar');
    const events = join(TELEPORT_WEB, 'vim.tty.events.json');
    const imported = await run(['import', '--from', 'legacy', events, stream, '-o', out]);
    expect(imported.code).toBe(0);
    expect(imported.stderr.split('\n')[0]).toBe(
      `auditcast import: ${stream}: the last 11 of its ${original.length + 11} bytes are in no print event of ${events}: dropped`);
    expect((await run(['export', out, '-f', 'text'])).stdout.equals(original)).toBe(true);
    // A stream the events cover exactly imports without a word about dropping.
    const exact = await run(['import', '--from', 'legacy', events, join(TELEPORT_WEB, 'vim.tty.stream'), '-o', join(tmp.dir, 'vim-exact.tar')]);
    expect(exact.stderr).not.toContain('dropped');
  });
});

describe('a tar that is not a Teleport recording', () => {
  it('is refused with a coded error naming the file', async () => {
    const { writeTar } = await import('../../lib/auditlog/tar.js');
    const file = join(tmp.dir, 'photos.tar');
    writeFileSync(file, writeTar([{ name: 'photos/cat.txt', data: Buffer.from('meow') }]));
    const imported = await run(['import', '--from', 'legacy', file, '-o', join(tmp.dir, 'photos-out.tar')]);
    expect(imported.code).toBe(1);
    expect(imported.stderr).toBe(`auditcast import: ${file}: not a Teleport recording: the tar archive has no <session-id>.index or .events entries (it holds photos/cat.txt) [CORRUPTED]\n`);
    expect(existsSync(join(tmp.dir, 'photos-out.tar'))).toBe(false);
  });
});

describe('json export', () => {
  it('writes Teleport JSON lines, print events without data', async () => {
    const out = join(tmp.dir, 'vim-json.tar');
    await run(['import', '--from', 'legacy', join(TELEPORT_WEB, 'vim.tty.events.json'), join(TELEPORT_WEB, 'vim.tty.stream'), '-o', out]);
    const json = await run(['export', out, '--format', 'json']);
    expect(json.code).toBe(0);
    const lines = json.stdout.toString().trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    const original = JSON.parse(readFileSync(join(TELEPORT_WEB, 'vim.tty.events.json'), 'utf8')) as Record<string, unknown>[];
    expect(lines).toHaveLength(original.length);
    expect(lines[2]).toEqual(original[2]);
    expect(lines.at(-1)).toMatchObject({ event: 'session.end', ei: 159, code: 'T2004I' });
  });
});

describe('legacy recording tarball (pre-4.4)', () => {
  it('imports a tarball split across two auth servers and plays back the stream; other commands say how to convert it', async () => {
    const { importLegacySession, writeLegacyRecording } = await import('../../lib/auditlog/legacy-recording.js');
    const fields = JSON.parse(readFileSync(join(TELEPORT_WEB, 'vim.tty.events.json'), 'utf8')) as Record<string, unknown>[];
    const stream = readFileSync(join(TELEPORT_WEB, 'vim.tty.stream'));
    const sid = '516965e5-e6ef-11e9-9d5b-42010a80002b';
    const archive = join(tmp.dir, `${sid}.legacy.tar`);
    writeFileSync(archive, writeLegacyRecording(sid, importLegacySession(fields, stream), { splitAt: [80] }));

    const out = join(tmp.dir, 'from-tar.tar');
    const imported = await run(['import', '--from', 'legacy', archive, '-o', out]);
    expect(imported.code).toBe(0);
    expect(imported.stdout.toString().trim()).toBe(sid);
    const text = await run(['export', out, '-f', 'text']);
    expect(text.stdout.equals(stream)).toBe(true);
    // The same events as importing the events + stream pair.
    const pair = join(tmp.dir, 'from-pair.tar');
    await run(['import', '--from', 'legacy', join(TELEPORT_WEB, 'vim.tty.events.json'), join(TELEPORT_WEB, 'vim.tty.stream'), '-o', pair]);
    expect((await run(['export', out, '-f', 'json'])).stdout.toString()).toBe((await run(['export', pair, '-f', 'json'])).stdout.toString());

    const verify = await run(['verify', archive]);
    expect(verify.code).toBe(1);
    expect(verify.stderr).toContain(`before version 4.4 (tar archive); convert it first with 'auditcast import --from legacy ${archive}'`);
  });
});
