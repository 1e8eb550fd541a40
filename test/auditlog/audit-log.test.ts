// auditlog_test.go scenarios and the playback side of AuditLog.
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { AuditLog } from '../../lib/auditlog/audit-log.js';
import { logFileName } from '../../lib/auditlog/file-time.js';
import { writeLegacyRecording } from '../../lib/auditlog/legacy-recording.js';
import { isAuditcastError } from '../../lib/errors.js';
import type { AuditEvent } from '../../lib/events/event.js';
import { marshalEventJson } from '../../lib/events/event-json.js';
import { Timestamp } from '../../lib/events/timestamp.js';
import { ProtoStreamer } from '../../lib/stream/proto-streamer.js';
import { MemoryUploader } from '../../lib/uploads/memory-uploader.js';
import { generateTestSession } from '../helpers/generate-session.js';
import { FakeClock, HOUR, tempDir, userLogin } from './helpers.js';

async function record(uploader: MemoryUploader, sessionId: string, events: readonly AuditEvent[], minUploadBytes?: number): Promise<void> {
  const stream = await new ProtoStreamer({ uploader, minUploadBytes }).createAuditStream(sessionId);
  for (const e of events) await stream.recordEvent(e);
  await stream.complete();
}

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

function dbSession(sid: string): AuditEvent[] {
  const t = Timestamp.fromMillis(Date.UTC(2024, 0, 1));
  return [
    { $type: 'DatabaseSessionStart', Metadata: { Index: 0, Type: 'db.session.start', ID: 'a', Code: 'TDB00I', Time: t, ClusterName: '' }, Session: { SessionID: sid } } as AuditEvent,
    { $type: 'DatabaseSessionEnd', Metadata: { Index: 1, Type: 'db.session.end', ID: 'b', Code: 'TDB01I', Time: t, ClusterName: '' }, Session: { SessionID: sid } } as AuditEvent,
  ];
}

describe('AuditLog', () => {
  it('TestNew: close twice', async () => {
    const log = new AuditLog({ dataDir: tempDir(), serverId: 'auth-1', uploader: new MemoryUploader() });
    await log.close();
    await log.close();
  });

  it('TestLogRotation through the facade: files under log/<server>, symlink log/events.log', async () => {
    const data = tempDir();
    const clock = new FakeClock(Date.UTC(1984, 3, 4));
    const log = new AuditLog({ dataDir: data, serverId: 'auth-1', uploader: new MemoryUploader(), clock: clock.now });
    for (const offset of [0, 25 * HOUR]) {
      clock.ms = Date.UTC(1984, 3, 4) + offset;
      const event = { $type: 'Resize' as const, Metadata: { Type: 'resize', Time: Timestamp.fromMillis(clock.ms) }, TerminalSize: '10:10' };
      await log.emitAuditEvent(event);
      expect(log.currentFile).toBe(join(data, 'log', 'auth-1', logFileName(clock.ms)));
      expect(readFileSync(log.currentFileSymlink, 'utf8')).toBe(`${marshalEventJson(event)}\n`);
      expect(log.currentFileSymlink).toBe(join(data, 'log', 'events.log'));
      expect((await log.searchEvents({ from: clock.ms - HOUR, to: clock.ms + HOUR, order: 'asc' })).events).toHaveLength(1);
    }
    await log.close();
  });

  it('searches every server directory of a shared data dir, not playbacks/upload/records', async () => {
    const data = tempDir();
    const clock = new FakeClock(Date.UTC(2024, 0, 15, 10));
    const uploader = new MemoryUploader();
    const a = new AuditLog({ dataDir: data, serverId: 'auth-a', uploader, clock: clock.now });
    const b = new AuditLog({ dataDir: data, serverId: 'auth-b', uploader, clock: clock.now });
    await a.emitAuditEvent(userLogin('one', clock.ms, '1'));
    await b.emitAuditEvent(userLogin('two', clock.ms + 1, '2'));
    await a.emitAuditEvent(userLogin('three', clock.ms + 2, '3'));
    for (const reserved of ['playbacks', 'upload', 'records']) {
      mkdirSync(join(data, 'log', reserved), { recursive: true });
      writeFileSync(join(data, 'log', reserved, logFileName(clock.ms)), `${marshalEventJson(userLogin('ghost', clock.ms, 'x'))}\n`);
    }
    const r = await b.searchEvents({ from: clock.ms - HOUR, to: clock.ms + HOUR });
    expect(r.events.map((e) => e.Metadata.ID)).toEqual(['1', '2', '3']);
    await a.close();
    await b.close();
  });

  it('TestStreamSessionEvents: success in order, unknown session fails', async () => {
    const uploader = new MemoryUploader();
    await record(uploader, 'sid-db', dbSession('sid-db'));
    const log = new AuditLog({ dataDir: tempDir(), serverId: 'auth', uploader });
    const events = await collect(log.streamSessionEvents('sid-db', 0));
    expect(events.map((e) => [e.Metadata.Type, e.Metadata.Code])).toEqual([['db.session.start', 'TDB00I'], ['db.session.end', 'TDB01I']]);
    expect((await collect(log.streamSessionEvents('sid-db', 1))).map((e) => e.Metadata.Index)).toEqual([1]);
    const err = await collect(log.streamSessionEvents('random', 0)).catch((e) => e);
    expect(isAuditcastError(err, 'NOT_FOUND')).toBe(true);
    expect(existsSync(join(log.playbackDir, 'sid-db.stream.tar'))).toBe(true);
    await log.close();
  });

  it('TestConcurrentStreaming: both callers end, the download is shared', async () => {
    const uploader = new MemoryUploader();
    await uploader.upload('abc123', Buffer.from('asdfasdfasdfasdfasdef'));
    const spy = vi.spyOn(uploader, 'downloadStream');
    const log = new AuditLog({ dataDir: tempDir(), serverId: 'auth', uploader });
    const results = await Promise.allSettled([collect(log.streamSessionEvents('abc123', 0)), collect(log.streamSessionEvents('abc123', 0))]);
    for (const r of results) expect(r.status).toBe('rejected');
    expect(spy).toHaveBeenCalledTimes(1);
    await log.close();
  });

  it('recycles cached downloads after the TTL', async () => {
    const uploader = new MemoryUploader();
    await record(uploader, 'sid-db', dbSession('sid-db'));
    const spy = vi.spyOn(uploader, 'downloadStream');
    const clock = new FakeClock(Date.now());
    const log = new AuditLog({ dataDir: tempDir(), serverId: 'auth', uploader, clock: clock.now, playbackRecycleTtlMs: HOUR });
    await collect(log.streamSessionEvents('sid-db'));
    await collect(log.streamSessionEvents('sid-db'));
    expect(spy).toHaveBeenCalledTimes(1);
    expect(await log.recyclePlaybacks()).toBe(0);
    clock.advance(2 * HOUR);
    expect(await log.recyclePlaybacks()).toBe(1);
    expect(readdirSync(log.playbackDir)).toEqual([]);
    await collect(log.streamSessionEvents('sid-db'));
    expect(spy).toHaveBeenCalledTimes(2);
    await log.close();
  });

  it('getSessionChunk serves any byte range, across recording part boundaries', async () => {
    const uploader = new MemoryUploader();
    const session = generateTestSession({ printEvents: 1500, sessionId: 'sid-tty' });
    await record(uploader, 'sid-tty', session, 64 * 1024);
    const stream = Buffer.concat(session.filter((e) => e.Metadata.Type === 'print').map((e) => e.Data as Uint8Array));
    const log = new AuditLog({ dataDir: tempDir(), serverId: 'auth', uploader });
    const spy = vi.spyOn(uploader, 'downloadStream');
    // print boundaries and parts: every 97th print start, +-1, and ranges spanning many prints
    const prints = session.filter((e) => e.Metadata.Type === 'print');
    let offset = 0;
    const starts: number[] = [];
    for (const p of prints) { starts.push(offset); offset += (p.Data as Uint8Array).length; }
    const cases: [number, number][] = [[0, 1], [0, 5], [2, 3], [0, stream.length], [stream.length - 1, 10], [stream.length, 10], [stream.length + 100, 10], [5, 0]];
    for (let i = 0; i < starts.length; i += 97) cases.push([starts[i], 1], [Math.max(0, starts[i] - 1), 2], [starts[i] + 1, 70_000]);
    const results = await Promise.all(cases.map(([o, n]) => log.getSessionChunk('sid-tty', o, n)));
    cases.forEach(([o, n], i) => expect(results[i].equals(stream.subarray(o, o + n))).toBe(true));
    expect(spy).toHaveBeenCalledTimes(1);
    expect(await log.getSessionChunk('sid-tty', 0, 5 * 1024 * 1024).then((b) => b.length)).toBe(stream.length);
    // The seed: a maxBytes above MaxChunkBytes is rounded down, not refused.
    expect((await log.getSessionChunk('sid-tty', 0, 5 * 1024 * 1024 + 1)).equals(stream)).toBe(true);
    expect(await log.getSessionChunk('sid-tty', -1, 1).catch((e) => e.code)).toBe('BAD_PARAMETER');
    expect(await log.getSessionChunk('../etc', 0, 1).catch((e) => e.code)).toBe('BAD_PARAMETER');

    const all = await log.getSessionEvents('sid-tty');
    expect(all).toHaveLength(1502);
    expect(all[1].getType()).toBe('print');
    expect(all[1].hasField('data')).toBe(false);
    const after = await log.getSessionEvents('sid-tty', 1499);
    expect(after.map((f) => f.getInt('ei'))).toEqual([1500, 1501]);
    expect(after[1].getType()).toBe('session.end');
    await log.close();
  });

  it('plays a legacy (pre-4.4) tarball from the uploader', async () => {
    const uploader = new MemoryUploader();
    const session = generateTestSession({ printEvents: 30, sessionId: 'sid-old' });
    await uploader.upload('sid-old', writeLegacyRecording('sid-old', session, { splitAt: [12] }));
    const log = new AuditLog({ dataDir: tempDir(), serverId: 'auth', uploader });
    const events = await collect(log.streamSessionEvents('sid-old'));
    expect(events.map((e) => e.Metadata.Index)).toEqual(session.map((e) => e.Metadata.Index));
    const bytes = Buffer.concat(session.filter((e) => e.Metadata.Type === 'print').map((e) => e.Data as Uint8Array));
    expect((await log.getSessionChunk('sid-old', 0, bytes.length)).equals(bytes)).toBe(true);
    await log.close();
  });
});
