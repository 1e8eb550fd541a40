import { existsSync, lstatSync, readFileSync, readlinkSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { isAuditcastError } from '../../lib/errors.js';
import { marshalEventJson } from '../../lib/events/event-json.js';
import { Timestamp } from '../../lib/events/timestamp.js';
import { FileLog } from '../../lib/auditlog/file-log.js';
import { parseFileTime } from '../../lib/auditlog/file-time.js';
import { DAY, FakeClock, HOUR, MIN, desktopSessionEnd, resize, sessionEnd, sessionJoin, tempDir, userLogin } from './helpers.js';

// Every log a test opens is closed after it, so no file handle is left to the garbage collector.
const opened: FileLog[] = [];
afterEach(async () => { for (const log of opened.splice(0)) await log.close(); });
function openLog(options: ConstructorParameters<typeof FileLog>[0]): FileLog {
  const log = new FileLog(options);
  opened.push(log);
  return log;
}

const ids = (r: { events: { Metadata: { ID: string } }[] }) => r.events.map((e) => e.Metadata.ID);
const users = (r: { events: Record<string, unknown>[] }) => r.events.map((e) => (e.User as { User: string }).User);

describe('FileLog writing', () => {
  it('TestLogRotation: one file per UTC day, exact line, symlink follows', async () => {
    const data = tempDir();
    const clock = new FakeClock(Date.UTC(1984, 3, 4));
    const log = openLog({ dir: join(data, 'server-1'), clock: clock.now });
    for (const offset of [0, 25 * HOUR]) {
      clock.ms = Date.UTC(1984, 3, 4) + offset;
      const event = resize(clock.ms);
      await log.emitAuditEvent(event);
      const day = new Date(Math.floor(clock.ms / DAY) * DAY);
      expect(parseFileTime(basename(log.currentFile))).toEqual(day);
      const expected = `${marshalEventJson(event)}\n`;
      expect(readFileSync(log.currentFile, 'utf8')).toBe(expected);
      expect(readFileSync(log.currentFileSymlink, 'utf8')).toBe(expected);
      expect(lstatSync(log.currentFileSymlink).isSymbolicLink()).toBe(true);
      expect(readlinkSync(log.currentFileSymlink)).toBe(log.currentFile);
      expect(log.currentFileSymlink).toBe(join(data, 'events.log'));
      const found = await log.searchEvents({ from: clock.ms - HOUR, to: clock.ms + HOUR, order: 'asc' });
      expect(found.events).toHaveLength(1);
    }
    expect(readdirSync(join(data, 'server-1')).sort()).toEqual(['1984-04-04.00:00:00.log', '1984-04-05.00:00:00.log']);
    expect(statSync(log.currentFile).mode & 0o777).toBe(0o640);
    await log.close();
    await log.close();
  });

  it('serializes concurrent emits: every line whole', async () => {
    const dir = tempDir();
    const clock = new FakeClock(Date.UTC(2024, 0, 15, 12));
    const log = openLog({ dir: join(dir, 's'), clock: clock.now });
    await Promise.all(Array.from({ length: 300 }, (_, i) => log.emitAuditEvent(userLogin(`user-${i}-${'x'.repeat(i * 10)}`, clock.ms, `id-${i}`))));
    const lines = readFileSync(log.currentFile, 'utf8').trimEnd().split('\n');
    expect(lines).toHaveLength(300);
    expect(new Set(lines.map((l) => JSON.parse(l).uid)).size).toBe(300);
    await log.close();
  });

  it('TestLargeEvent: trimmed events are written and counted; untrimmable ones refused and never written', async () => {
    const dir = tempDir();
    const clock = new FakeClock(Date.UTC(2024, 0, 15, 12));
    const start = clock.ms;
    const log = openLog({ dir: join(dir, 's'), clock: clock.now });
    const query = (id: string, q: string) => ({
      $type: 'DatabaseSessionQuery' as const,
      Metadata: { Type: 'db.session.query', Code: 'TDB02I', ID: id, Time: Timestamp.fromMillis(start + MIN) },
      DatabaseQuery: q,
    });
    const mongo = `OpMsg(Body=${JSON.stringify(Array.from({ length: 500 }, () => ({ _id: 'x', ...Object.fromEntries(Array.from({ length: 100 }, (_, k) => [`k${k}`, k])) })))}, Documents=[], Flags=)`;
    await log.emitAuditEvent(query('1', 'select 1'));
    await log.emitAuditEvent(query('2', 'A'.repeat(65_536)));
    await log.emitAuditEvent(query('3', 'select 3'));
    await log.emitAuditEvent(query('4', mongo));
    let found = await log.searchEvents({ from: start, to: start + HOUR, limit: 100, order: 'asc' });
    expect(ids(found)).toEqual(['1', '2', '3', '4']);
    expect(log.stats.trimmed).toBe(2);
    for (const line of readFileSync(log.currentFile, 'utf8').trimEnd().split('\n')) expect(Buffer.byteLength(line)).toBeLessThanOrEqual(65_536);

    const dir2 = tempDir();
    const log2 = openLog({ dir: join(dir2, 's'), clock: clock.now });
    await log2.emitAuditEvent(query('1', 'select 1'));
    const big = { $type: 'AccessRequestDelete' as const, Metadata: { Type: 'access_request.delete', Code: 'T5003I', ID: '2', Time: Timestamp.fromMillis(start + MIN) }, RequestID: 'r'.repeat(65_536) };
    const err = await log2.emitAuditEvent(big).catch((e) => e);
    expect(isAuditcastError(err, 'BAD_PARAMETER')).toBe(true);
    expect(String(err.message)).toMatch(/max FileLog entry size limit/);
    await log2.emitAuditEvent(query('3', 'select 3'));
    await log2.emitAuditEvent(query('4', 'select 4'));
    found = await log2.searchEvents({ from: start, to: start + HOUR, limit: 100, order: 'asc' });
    expect(ids(found)).toEqual(['1', '3', '4']);
    expect(log2.stats.rejected).toBe(1);
    expect(readFileSync(log2.currentFile, 'utf8')).not.toContain('rrrrrrrr');
  });

  it('validates options', () => {
    expect(() => new FileLog({ dir: tempDir(), rotationPeriodMs: HOUR })).toThrow(/multiple of 24h/);
    expect(() => new FileLog({ dir: tempDir(), bogus: 1 } as never)).toThrow(/FileLog: unknown option "bogus"/);
  });
});

describe('FileLog search (filelog_test.go)', () => {
  it('TestFileLogPagination', async () => {
    const clock = new FakeClock(Date.UTC(2024, 0, 15, 12));
    const now = clock.ms;
    const log = openLog({ dir: join(tempDir(), 's'), clock: clock.now });
    await log.emitAuditEvent(sessionJoin('a', 'bob', now));
    await log.emitAuditEvent(sessionJoin('b', 'alice', now + MIN));
    await log.emitAuditEvent(sessionJoin('c', 'dave', now + 2 * MIN));
    const first = await log.searchEvents({ from: now - HOUR, to: now + HOUR, limit: 2, order: 'asc' });
    expect(ids(first)).toEqual(['a', 'b']);
    expect(first.lastKey).not.toBe('');
    const second = await log.searchEvents({ from: now - HOUR, to: now + HOUR, limit: 2, order: 'asc', startKey: first.lastKey });
    expect(ids(second)).toEqual(['c']);
    expect(second.lastKey).toBe('');
  });

  it('TestSearchSessionEvents', async () => {
    const clock = new FakeClock(Date.UTC(2024, 0, 15, 12));
    const start = clock.ms;
    const log = openLog({ dir: join(tempDir(), 's'), clock: clock.now });
    clock.advance(MIN);
    await log.emitAuditEvent(sessionEnd('a', clock.ms));
    clock.advance(MIN);
    let r = await log.searchSessionEvents({ from: start, to: clock.ms, limit: 10, order: 'asc' });
    expect(ids(r)).toEqual(['a']);
    await log.emitAuditEvent(sessionJoin('b', 'bob', clock.ms));
    r = await log.searchSessionEvents({ from: start, to: clock.ms, limit: 10, order: 'asc' });
    expect(ids(r)).toEqual(['a']);
    await log.emitAuditEvent(desktopSessionEnd('c', clock.ms));
    r = await log.searchSessionEvents({ from: start, to: clock.ms, limit: 10, order: 'asc' });
    expect(ids(r)).toEqual(['a', 'c']);
    expect(r.events.map((e) => e.Metadata.Type)).toEqual(['session.end', 'windows.desktop.session.end']);
  });

  it('rejects bad requests', async () => {
    const log = openLog({ dir: join(tempDir(), 's') });
    const now = Date.now();
    const codeOf = (p: Promise<unknown>) => p.then(() => 'ok', (e) => (isAuditcastError(e) ? e.code : String(e)));
    expect(await codeOf(log.searchEvents({ from: now, to: now, limit: 10_001 }))).toBe('BAD_PARAMETER');
    expect(await codeOf(log.searchEvents({ from: now, to: now - 1 }))).toBe('BAD_PARAMETER');
    expect(await codeOf(log.searchEvents({ from: now, to: now, order: 'sideways' as never }))).toBe('BAD_PARAMETER');
    expect(await codeOf(log.searchEvents({ from: now, to: now, limit: 10_000 }))).toBe('ok');
    expect(await codeOf(log.searchEvents({ from: now, to: now, evenTypes: ['x'] } as never))).toBe('BAD_PARAMETER');
    expect(await codeOf(log.searchSessionEvents({ from: now, to: now, sessionID: 'x' } as never))).toBe('BAD_PARAMETER');
    expect(await codeOf(log.searchEvents({ from: 'yesterday', to: now }))).toBe('BAD_PARAMETER');
  });

  it('skips invalid JSON, over-long lines and foreign file names, and counts them', async () => {
    const dir = join(tempDir(), 's');
    const clock = new FakeClock(Date.UTC(2024, 0, 15, 12));
    const log = openLog({ dir, clock: clock.now, maxScanTokenSize: 1000 });
    await log.emitAuditEvent(sessionJoin('a', 'bob', clock.ms));
    writeFileSync(log.currentFile, `not json\n${'{"x":"' + 'y'.repeat(5000) + '"}'}\n[1,2]\n`, { flag: 'a' });
    await log.emitAuditEvent(sessionJoin('b', 'bob', clock.ms + 1));
    writeFileSync(join(dir, 'garbage.log'), 'whatever\n');
    writeFileSync(join(dir, '2024-01-15.00:00:00.txt'), `${readFileSync(log.currentFile)}`);
    const r = await log.searchEvents({ from: clock.ms - HOUR, to: clock.ms + HOUR });
    expect(ids(r)).toEqual(['a', 'b']);
    expect(r.stats).toMatchObject({ linesInvalidJson: 2, linesTooLong: 1, filesMatched: 1 });
  });

  it('1 MiB page cap returns a key early', async () => {
    const clock = new FakeClock(Date.UTC(2024, 0, 15, 12));
    const log = openLog({ dir: join(tempDir(), 's'), clock: clock.now });
    const user = 'u'.repeat(60_000);
    for (let i = 0; i < 20; i++) await log.emitAuditEvent(sessionJoin(`id-${i}`, `${user}${i}`, clock.ms + i));
    const r = await log.searchEvents({ from: clock.ms - HOUR, to: clock.ms + HOUR, limit: 100 });
    const size = r.events.reduce((n, e) => n + marshalEventJson(e).length, 0);
    expect(r.events.length).toBe(17);
    expect(size).toBeLessThan(1024 * 1024);
    expect(r.lastKey).not.toBe('');
    // our key, and Teleport's for the same page (the last event's id), resume after id-16
    for (const startKey of [r.lastKey, 'id-16']) {
      const rest = await log.searchEvents({ from: clock.ms - HOUR, to: clock.ms + HOUR, limit: 100, startKey });
      expect(ids(rest)).toEqual(['id-17', 'id-18', 'id-19']);
      expect(rest.lastKey).toBe('');
    }
  });
});
