// Backend conformance suite (lib/events/test/suite.go) run against FileLog.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FileLog } from '../../lib/auditlog/file-log.js';
import type { SearchResult } from '../../lib/auditlog/search-types.js';
import { Timestamp } from '../../lib/events/timestamp.js';
import { DAY, FakeClock, HOUR, desktopSessionEnd, sessionEnd, tempDir, userLogin } from './helpers.js';

const users = (r: SearchResult) => r.events.map((e) => (e.User as { User: string }).User);

async function pages(log: FileLog, req: Parameters<FileLog['searchEvents']>[0]): Promise<string[][]> {
  const out: string[][] = [];
  let startKey = '';
  for (let i = 0; i < 20; i++) {
    const r = await log.searchEvents({ ...req, startKey });
    out.push(users(r));
    if (!r.lastKey) return out;
    startKey = r.lastKey;
  }
  throw new Error('pagination did not end');
}

describe('EventsSuite on FileLog', () => {
  it('EventPagination (limits 1, 2, 100; asc and desc; shared timestamps)', async () => {
    const clock = new FakeClock(Date.UTC(2024, 5, 10, 8));
    const base = clock.ms;
    const log = new FileLog({ dir: join(tempDir(), 'auth'), clock: clock.now });
    const names = ['bob', 'jack', 'daisy', 'evan'];
    for (const [i, name] of names.entries()) await log.emitAuditEvent(userLogin(name, base + i * 1000));
    const range = { from: base - HOUR, to: base + HOUR };

    const all = await log.searchEvents({ ...range, limit: 100, order: 'asc' });
    expect(users(all)).toEqual(names);
    expect(all.lastKey).toBe('');

    expect((await pages(log, { ...range, limit: 1, order: 'asc' })).flat()).toEqual(names);
    const byOne = await pages(log, { ...range, limit: 1, order: 'asc' });
    expect(byOne).toEqual([['bob'], ['jack'], ['daisy'], ['evan'], []]);
    expect(await pages(log, { ...range, limit: 2, order: 'asc' })).toEqual([['bob', 'jack'], ['daisy', 'evan'], []]);
    expect(await pages(log, { ...range, limit: 1, order: 'desc' })).toEqual([['evan'], ['daisy'], ['jack'], ['bob'], []]);
    expect(await pages(log, { ...range, limit: 2, order: 'desc' })).toEqual([['evan', 'daisy'], ['jack', 'bob'], []]);

    // four logins with the same timestamp, two days earlier, written on that day (a FileLog only
    // rotates forward, as Teleport's, so a second writer with its clock on that day writes them)
    const base2 = base - 2 * DAY;
    const earlier = new FileLog({ dir: log.dir, clock: () => base2 });
    const same = ['ann', 'ben', 'cat', 'dan'];
    for (const name of same) await earlier.emitAuditEvent(userLogin(name, base2));
    await earlier.close();
    for (const order of ['asc', 'desc'] as const) {
      const got = await pages(log, { from: base2, to: base2 + 1000, limit: 1, order });
      const flat = got.flat();
      expect(flat.sort()).toEqual(same);
    }
    const r = await log.searchEvents({ from: base2, to: base2 + 1000, limit: 100 });
    for (const e of r.events) expect(e.Metadata.Time.equals(Timestamp.fromMillis(base2))).toBe(true);
  });

  it('SessionEventsCRUD', async () => {
    const clock = new FakeClock(Date.UTC(2024, 5, 10, 8));
    const now = clock.ms;
    const log = new FileLog({ dir: join(tempDir(), 'auth'), clock: clock.now });
    await log.emitAuditEvent(userLogin('bob', now));
    expect((await log.searchEvents({ from: now - HOUR, to: now + HOUR })).events).toHaveLength(1);
    await log.emitAuditEvent({
      $type: 'SessionStart',
      Metadata: { Index: 0, Type: 'session.start', Code: 'T2000I', ID: 'start', Time: Timestamp.fromMillis(now + 60_000) },
      Session: { SessionID: 's1' },
    });
    const endTime = now + HOUR;
    await log.emitAuditEvent({ ...sessionEnd('end', endTime, 's1', ['bob', 'alice']), Metadata: { Index: 4, Type: 'session.end', Code: 'T2004I', ID: 'end', Time: Timestamp.fromMillis(endTime), ClusterName: '' } });
    const r = await log.searchEvents({ from: now - HOUR, to: now + HOUR });
    expect(r.events.map((e) => e.Metadata.Type)).toEqual(['user.login', 'session.start', 'session.end']);
    expect((await log.searchSessionEvents({ from: now - HOUR, to: now + 2 * HOUR })).events).toHaveLength(1);
    const withParticipant = (name: string) => log.searchSessionEvents({ from: now - HOUR, to: now + 2 * HOUR, cond: (f) => f.getStrings('participants').includes(name) });
    expect((await withParticipant('alice')).events).toHaveLength(1);
    expect((await withParticipant('cecile')).events).toHaveLength(0);
    expect((await log.searchSessionEvents({ from: now - HOUR, to: endTime - 1000 })).events).toHaveLength(0);
  });

  it('SearchSessionEventsBySessionID', async () => {
    const clock = new FakeClock(Date.UTC(2024, 5, 10, 8));
    const now = clock.ms;
    const log = new FileLog({ dir: join(tempDir(), 'auth'), clock: clock.now });
    for (const [i, sid] of ['first', 'second', 'third'].entries()) await log.emitAuditEvent(desktopSessionEnd(`id-${i}`, now + i * 1000, sid));
    const started = Date.now();
    const r = await log.searchSessionEvents({ from: Timestamp.ZERO, to: now + 10_000, limit: 1000, order: 'desc', sessionId: 'second' });
    expect(r.events).toHaveLength(1);
    expect((r.events[0].Session as { SessionID: string }).SessionID).toBe('second');
    expect(Date.now() - started).toBeLessThan(10_000);
  });
});
