// The on-disk async uploader (conformance §10, Teleport fileasync_test.go).
import { randomBytes, randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { AuditcastError } from '../../lib/errors.js';
import type { AuditEvent, AuditEventInput } from '../../lib/events/event.js';
import { ProtoReader } from '../../lib/stream/proto-reader.js';
import { ProtoStreamer } from '../../lib/stream/proto-streamer.js';
import type { AuditStream, Streamer } from '../../lib/stream/streamer.js';
import { AsyncUploader, type AsyncUploaderOptions, isSessionError } from '../../lib/uploads/async-uploader.js';
import { formatCheckpoint, parseCheckpoint } from '../../lib/uploads/checkpoint.js';
import { newFileStreamer } from '../../lib/uploads/file-streamer.js';
import { MemoryUploader, type UploadEvent } from '../../lib/uploads/memory-uploader.js';
import { formatOwner, processStartTicks } from '../../lib/uploads/lock-file.js';
import { generateTestSession } from '../helpers/generate-session.js';
import { expectSameEvents } from '../helpers/normalize.js';
import { tempDir as sharedTempDir } from '../helpers/temp-dir.js';

const tempDir = () => sharedTempDir('auditcast-async-');

const sidOf = (events: AuditEvent[]) => (events[0]!.Session as { SessionID: string }).SessionID;

/** Records a session to scanDir with the local file streamer (128 KiB parts), as a node does. */
async function recordLocally(scanDir: string, printEvents: number): Promise<AuditEvent[]> {
  const events = generateTestSession({ printEvents });
  const { streamer } = newFileStreamer({ directory: scanDir });
  const stream = await streamer.createAuditStream(sidOf(events));
  for (const event of events) await stream.recordEvent(event);
  await stream.complete();
  return events;
}

/** The upstream side: Teleport's test harness uses a MemoryUploader behind a 1 KiB-part streamer. */
class Upstream implements Streamer {
  readonly memory = new MemoryUploader();
  readonly streamer = new ProtoStreamer({ uploader: this.memory, minUploadBytes: 1024, retry: { stepMs: 1, maxAttempts: 3 } });
  created = 0;
  resumed = 0;
  /** Fault injection: called per recorded event; return true to kill the stream there. */
  failAt: (event: AuditEventInput) => boolean = () => false;
  resumeError: (() => Error | null) = () => null;
  createError: (() => Error | null) = () => null;

  async createAuditStream(sessionId: string): Promise<AuditStream> {
    const err = this.createError();
    if (err) throw err;
    this.created++;
    return this.wrap((signal) => this.streamer.createAuditStream(sessionId, { signal }));
  }

  async resumeAuditStream(sessionId: string, uploadId: string): Promise<AuditStream> {
    const err = this.resumeError();
    if (err) throw err;
    this.resumed++;
    return this.wrap((signal) => this.streamer.resumeAuditStream(sessionId, uploadId, { signal }));
  }

  private async wrap(open: (signal: AbortSignal) => Promise<import('../../lib/stream/proto-stream.js').ProtoStream>): Promise<AuditStream> {
    const aborter = new AbortController();
    const stream = await open(aborter.signal);
    return {
      uploadId: stream.uploadId,
      sessionId: stream.sessionId,
      done: stream.done,
      status: stream.status,
      recordEvent: async (event) => {
        if (this.failAt(event)) {
          // A dead connection: the stream fails as a whole, nothing more is flushed.
          aborter.abort(new AuditcastError('CONNECTION_PROBLEM', 'terminated by test'));
          throw new AuditcastError('CONNECTION_PROBLEM', 'terminated by test');
        }
        return stream.recordEvent(event);
      },
      recordPrintBatch: (batch) => stream.recordPrintBatch(batch),
      complete: () => stream.complete(),
      close: () => stream.close(),
    };
  }

  async read(sessionId: string): Promise<{ events: AuditEvent[]; reader: ProtoReader }> {
    const reader = new ProtoReader(await this.memory.download(sessionId));
    return { events: await reader.readAll(), reader };
  }
}

async function pack(options: Partial<AsyncUploaderOptions> = {}) {
  const root = await tempDir();
  const scanDir = path.join(root, 'streaming', 'default');
  const corruptedDir = path.join(root, 'corrupted', 'default');
  await fs.mkdir(scanDir, { recursive: true });
  const upstream = new Upstream();
  const events: UploadEvent[] = [];
  const uploader = new AsyncUploader({ scanDir, corruptedDir, streamer: upstream, onUploadEvent: (e) => events.push(e), scanPeriodMs: 10, ...options });
  return { root, scanDir, corruptedDir, upstream, uploader, events };
}

describe('AsyncUploader', () => {
  it('TestUploadOK: uploads a local recording, then removes it and its checkpoint', async () => {
    const { scanDir, upstream, uploader, events } = await pack();
    const input = await recordLocally(scanDir, 1024);
    const sid = sidOf(input);
    expect((await fs.readdir(scanDir)).filter((n) => !n.startsWith('.') && n !== 'multi')).toEqual([`${sid}.tar`]);
    const stats = await uploader.scan();
    expect(stats).toEqual({ scanned: 1, started: 1, corrupted: 0, blocked: 0 });
    await uploader.drain();
    expect(events.map((e) => [e.sessionId, e.error])).toEqual([[sid, undefined]]);
    const { events: out, reader } = await upstream.read(sid);
    expectSameEvents(out, input, expect);
    expect(reader.stats.skippedEvents).toBe(0);
    expect((await fs.readdir(scanDir)).filter((n) => n.endsWith('.tar') || n.endsWith('.checkpoint'))).toEqual([]);
    expect(uploader.stats).toMatchObject({ streamsCreated: 1, streamsResumed: 0, uploadsCompleted: 1 });
  });

  it('TestUploadParallel: 5 sessions, 5 distinct upload events, all equal', async () => {
    const { scanDir, upstream, uploader, events } = await pack();
    const inputs = [];
    for (let i = 0; i < 5; i++) inputs.push(await recordLocally(scanDir, 1024));
    expect((await uploader.scan()).started).toBe(5);
    await uploader.drain();
    expect(new Set(events.map((e) => e.sessionId))).toEqual(new Set(inputs.map(sidOf)));
    expect(events.every((e) => !e.error)).toBe(true);
    for (const input of inputs) expectSameEvents((await upstream.read(sidOf(input))).events, input, expect);
  });

  it('TestMovesCorruptedUploads: .error pairs move to the corrupted dir, bad names are flagged only', async () => {
    const { scanDir, corruptedDir, uploader } = await pack();
    const sid = randomUUID();
    await fs.writeFile(path.join(scanDir, `${sid}.tar`), randomBytes(4096));
    await fs.writeFile(path.join(scanDir, `${sid}.error`), 'session file could be corrupted');
    await fs.writeFile(path.join(scanDir, 'not-a-uuid.tar'), '');
    expect(await uploader.scan()).toEqual({ scanned: 2, started: 0, corrupted: 2, blocked: 0 });
    expect((await fs.readdir(corruptedDir)).sort()).toEqual([`${sid}.error`, `${sid}.tar`]);
    expect(await uploader.scan()).toEqual({ scanned: 1, started: 0, corrupted: 1, blocked: 0 });
    expect(await fs.readdir(scanDir)).toContain('not-a-uuid.tar');
  });

  it('TestUploadBadSession: an unreadable recording is a session error, never retried, then moved', async () => {
    const { scanDir, corruptedDir, upstream, uploader, events } = await pack();
    const sid = randomUUID();
    await fs.writeFile(path.join(scanDir, `${sid}.tar`), 'this session is corrupted');
    expect((await uploader.scan()).started).toBe(1);
    await uploader.drain();
    expect(events.length).toBe(1);
    expect(isSessionError(events[0]!.error)).toBe(true);
    expect(upstream.created).toBe(0); // garbage never opened an upload
    expect(await fs.readFile(path.join(scanDir, `${sid}.error`), 'utf8')).toMatch(/corrupted or is using unsupported format/);
    expect(await uploader.scan()).toEqual({ scanned: 1, started: 0, corrupted: 1, blocked: 0 });
    expect((await fs.readdir(corruptedDir)).sort()).toEqual([`${sid}.error`, `${sid}.tar`]);
    expect(await uploader.scan()).toEqual({ scanned: 0, started: 0, corrupted: 0, blocked: 0 });
  });

  const resumeCases = [
    { name: 'terminate once at index > 600', terminations: 1, expect: { resumed: 1, created: 1 } },
    { name: 'terminate 10 times at index > 600', terminations: 10, expect: { resumed: 10, created: 1 } },
    { name: 'resume returns NOT_FOUND: a new upload', terminations: 1, resumeNotFound: true, expect: { resumed: 0, created: 2 } },
    { name: 'checkpoint deleted before the retry: a new upload', terminations: 1, deleteCheckpoint: true, expect: { resumed: 0, created: 2 } },
  ];
  for (const c of resumeCases) {
    it(`TestUploadResume: ${c.name}`, async () => {
      const { scanDir, upstream, uploader, events } = await pack();
      const input = await recordLocally(scanDir, 1024);
      const sid = sidOf(input);
      let left = c.terminations;
      let armed = true;
      upstream.failAt = (event) => {
        if (armed && left > 0 && (event.Metadata?.Index ?? 0) > 600) {
          armed = false;
          left--;
          return true;
        }
        return false;
      };
      if (c.resumeNotFound) upstream.resumeError = () => new AuditcastError('NOT_FOUND', 'no such upload');
      for (let attempt = 0; attempt <= c.terminations; attempt++) {
        if (c.deleteCheckpoint && attempt === 1) {
          const checkpoints = (await fs.readdir(scanDir)).filter((n) => n.endsWith('.checkpoint'));
          expect(checkpoints).toEqual([`${sid}.checkpoint`]);
          await fs.rm(path.join(scanDir, checkpoints[0]!));
        }
        armed = true;
        expect((await uploader.scan()).started).toBe(1);
        await uploader.drain();
        const last = events.at(-1)!;
        if (attempt < c.terminations) {
          expect(last.error).toMatchObject({ code: 'CONNECTION_PROBLEM' });
          // Never delete a recording that is not fully uploaded.
          await expect(fs.stat(path.join(scanDir, `${sid}.tar`))).resolves.toBeTruthy();
        } else {
          expect(last.error).toBeUndefined();
        }
      }
      expect({ resumed: upstream.resumed, created: upstream.created }).toEqual(c.expect);
      const { events: out, reader } = await upstream.read(sid);
      expectSameEvents(out, input, expect);
      expect(reader.stats.outOfOrderEvents).toBe(0);
    });
  }

  it('TestUploadBackoff: failures lengthen the scan period (strictly), a success resets it', async () => {
    const { scanDir, upstream, uploader } = await pack();
    await recordLocally(scanDir, 100);
    upstream.createError = () => new AuditcastError('CONNECTION_PROBLEM', 'auth is down');
    const delays = [uploader.nextScanDelayMs];
    for (let i = 0; i < 10; i++) {
      await uploader.scan();
      await uploader.drain();
      delays.push(uploader.nextScanDelayMs);
    }
    for (let i = 1; i < delays.length; i++) expect(delays[i]!).toBeGreaterThan(delays[i - 1]!);
    upstream.createError = () => null;
    await uploader.scan();
    await uploader.drain();
    expect(uploader.nextScanDelayMs).toBe(delays[0]);
  });

  it('serve() scans periodically until close()', async () => {
    let uploaded!: () => void;
    const firstUpload = new Promise<void>((resolve) => { uploaded = resolve; });
    const { scanDir, upstream, uploader, events } = await pack({ onUploadEvent: (e) => { events.push(e); uploaded(); } });
    uploader.serve();
    const input = await recordLocally(scanDir, 50);
    await firstUpload; // only a periodic scan can find the recording written after serve()
    await uploader.close();
    expect(events.map((e) => e.sessionId)).toEqual([sidOf(input)]);
    expectSameEvents((await upstream.read(sidOf(input))).events, input, expect);
  });

  it('skips a recording locked by another live process, and never starts one twice', async () => {
    const { scanDir, uploader } = await pack();
    const input = await recordLocally(scanDir, 10);
    const lock = path.join(scanDir, '.locks', `${sidOf(input)}.lock`);
    await fs.mkdir(path.dirname(lock), { recursive: true });
    await fs.writeFile(lock, `${process.ppid}\n`); // alive and not us
    expect(await uploader.scan()).toEqual({ scanned: 1, started: 0, corrupted: 0, blocked: 1 });
    await fs.rm(lock);
    const [a, b] = await Promise.all([uploader.scan(), uploader.scan()]);
    expect(a.started + b.started).toBe(1);
    await uploader.drain();
  });

  it('checkpoints: Teleport field names, LastEventIndex omitted at 0, first object wins', () => {
    const time = new Date(Date.UTC(2024, 0, 15, 12, 0, 0, 120));
    expect(formatCheckpoint({ uploadId: 'u1', lastEventIndex: 41, lastUploadTime: time }))
      .toBe('{"UploadID":"u1","LastEventIndex":41,"LastUploadTime":"2024-01-15T12:00:00.12Z"}');
    expect(formatCheckpoint({ uploadId: 'u1', lastEventIndex: 0, lastUploadTime: new Date(Date.UTC(2024, 0, 15)) }))
      .toBe('{"UploadID":"u1","LastUploadTime":"2024-01-15T00:00:00Z"}');
    expect(parseCheckpoint('')).toBeNull();
    // Teleport rewrites in place without truncating: a shorter status leaves the old tail behind.
    expect(parseCheckpoint('{"UploadID":"u2","LastEventIndex":7,"LastUploadTime":"2024-01-15T12:00:00.123456789Z"}9Z"}')).toMatchObject({ uploadId: 'u2', lastEventIndex: 7 });
    expect(parseCheckpoint('{"UploadID":"u3","LastUploadTime":"2024-01-15T12:00:00Z"}')).toMatchObject({ uploadId: 'u3', lastEventIndex: 0 });
    expect(() => parseCheckpoint('{"LastEventIndex":1}')).toThrow(/UploadID/);
  });

  it('reads a checkpoint Teleport wrote and resumes from it', async () => {
    const { scanDir, upstream, uploader } = await pack();
    const input = await recordLocally(scanDir, 500);
    const sid = sidOf(input);
    // Upload the first 201 events upstream ourselves, then leave a Teleport-style checkpoint.
    const stream = await upstream.streamer.createAuditStream(sid);
    for (const event of input.slice(0, 201)) await stream.recordEvent(event);
    await stream.close();
    await fs.writeFile(path.join(scanDir, `${sid}.checkpoint`), `{"UploadID":"${stream.uploadId}","LastEventIndex":200,"LastUploadTime":"2024-01-15T12:00:00.5Z"}`);
    await uploader.scan();
    await uploader.drain();
    expect(uploader.stats).toMatchObject({ streamsResumed: 1, streamsCreated: 0, uploadsCompleted: 1 });
    const { events: out, reader } = await upstream.read(sid);
    expectSameEvents(out, input, expect);
    expect(reader.stats.skippedEvents).toBe(0);
  });

  it('TestChaosUpload (reduced): parallel sessions under failing creates, resumes, records and lost checkpoints', async () => {
    const { scanDir, upstream, uploader, events } = await pack();
    const inputs: AuditEvent[][] = [];
    for (let i = 0; i < 6; i++) inputs.push(await recordLocally(scanDir, 1500));
    let recordFaults = 4;
    let createFaults = 4;
    let resumes = 0;
    upstream.failAt = (event) => (event.Metadata?.Index ?? 0) > 700 && recordFaults-- > 0;
    upstream.createError = () => (createFaults-- > 0 ? new AuditcastError('CONNECTION_PROBLEM', 'create failed') : null);
    upstream.resumeError = () => {
      resumes++;
      if (resumes <= 4) return new AuditcastError('CONNECTION_PROBLEM', `resume ${resumes} failed`);
      return null;
    };
    const done = new Set<string>();
    for (let round = 0; round < 40 && done.size < inputs.length; round++) {
      // Resumes 5-7 find their checkpoint gone (deleted under them).
      if (resumes >= 4 && resumes < 7) {
        const checkpoint = (await fs.readdir(scanDir)).find((n) => n.endsWith('.checkpoint'));
        if (checkpoint) await fs.rm(path.join(scanDir, checkpoint));
      }
      await uploader.scan();
      await uploader.drain();
      for (const e of events) if (!e.error) done.add(e.sessionId);
    }
    expect(done).toEqual(new Set(inputs.map(sidOf)));
    for (const input of inputs) {
      const { events: out, reader } = await upstream.read(sidOf(input));
      expect(reader.stats.outOfOrderEvents).toBe(0);
      expectSameEvents(out, input, expect);
    }
    expect(uploader.stats.uploadsFailed).toBeGreaterThan(0);
    expect((await fs.readdir(scanDir)).filter((n) => /\.(tar|checkpoint|error)$/.test(n))).toEqual([]);
  });

  it('breaks a lock whose pid now belongs to another process, and one not refreshed in time', async () => {
    const { scanDir, uploader, upstream } = await pack({ lockStaleMs: 60_000 });
    const input = await recordLocally(scanDir, 10);
    const lock = path.join(scanDir, '.locks', `${sidOf(input)}.lock`);
    await fs.mkdir(path.dirname(lock), { recursive: true });
    const bootId = (await fs.readFile('/proc/sys/kernel/random/boot_id', 'utf8')).trim();
    const parentStart = processStartTicks(process.ppid);
    expect(parentStart).not.toBeNull();
    // A week-old lock by a process that has gone, whose pid the (live) parent got since.
    await fs.writeFile(lock, formatOwner({ pid: process.ppid, bootId, startTicks: parentStart! - 1 }));
    expect((await uploader.scan()).started).toBe(1);
    await uploader.drain();
    await expect(upstream.memory.listUploads()).resolves.toEqual([]);
    expectSameEvents((await upstream.read(sidOf(input))).events, input, expect);

    // The same pid from another boot.
    const second = await pack({ lockStaleMs: 60_000 });
    const other = await recordLocally(second.scanDir, 10);
    const otherLock = path.join(second.scanDir, '.locks', `${sidOf(other)}.lock`);
    await fs.mkdir(path.dirname(otherLock), { recursive: true });
    await fs.writeFile(otherLock, formatOwner({ pid: process.ppid, bootId: randomUUID(), startTicks: parentStart }));
    expect((await second.uploader.scan()).started).toBe(1);
    await second.uploader.drain();

    // The live owner's lock holds until it is older than lockStaleMs.
    const third = await pack({ lockStaleMs: 1000 });
    const held = await recordLocally(third.scanDir, 10);
    const heldLock = path.join(third.scanDir, '.locks', `${sidOf(held)}.lock`);
    await fs.mkdir(path.dirname(heldLock), { recursive: true });
    await fs.writeFile(heldLock, formatOwner({ pid: process.ppid, bootId, startTicks: parentStart }));
    expect((await third.uploader.scan()).started).toBe(0);
    const old = new Date(Date.now() - 7 * 86_400_000);
    await fs.utimes(heldLock, old, old);
    expect((await third.uploader.scan()).started).toBe(1);
    await third.uploader.drain();
  });

  it('says once which process blocks an upload', async () => {
    const blocked: string[] = [];
    const { scanDir, uploader } = await pack({ onBlocked: (_sid, message) => blocked.push(message) });
    const input = await recordLocally(scanDir, 10);
    const lock = path.join(scanDir, '.locks', `${sidOf(input)}.lock`);
    await fs.mkdir(path.dirname(lock), { recursive: true });
    await fs.writeFile(lock, formatOwner({ pid: process.ppid, bootId: '', startTicks: null }));
    await uploader.scan();
    await uploader.scan();
    expect(blocked).toHaveLength(1);
    expect(blocked[0]).toContain(`pid ${process.ppid}`);
    expect(blocked[0]).toContain(`${sidOf(input)}.tar`);
  });

  it('a recording that vanished after the scan is NOT_FOUND and leaves nothing behind', async () => {
    const source = await tempDir();
    const input = await recordLocally(source, 10);
    const bytes = await fs.readFile(path.join(source, `${sidOf(input)}.tar`));
    const first = '00000000-0000-4000-8000-000000000000';
    const second = 'ffffffff-ffff-4fff-bfff-ffffffffffff';
    let scanDir = '';
    const { uploader, events, scanDir: dir } = await pack({
      // The first recording is locked by a live process; while the scan reports it, the second vanishes.
      onBlocked: () => { rmSync(path.join(scanDir, `${second}.tar`)); },
    });
    scanDir = dir;
    for (const sid of [first, second]) await fs.writeFile(path.join(scanDir, `${sid}.tar`), bytes);
    await fs.mkdir(path.join(scanDir, '.locks'));
    await fs.writeFile(path.join(scanDir, '.locks', `${first}.lock`), formatOwner({ pid: process.ppid, bootId: '', startTicks: null }));
    expect(await uploader.scan()).toEqual({ scanned: 2, started: 1, corrupted: 0, blocked: 1 });
    await uploader.drain();
    expect(events).toHaveLength(1);
    expect(events[0]!.error).toMatchObject({ code: 'NOT_FOUND' });
    expect((await fs.readdir(scanDir)).filter((n) => n.startsWith(second))).toEqual([]);
    expect(uploader.stats.sessionErrors).toBe(0);
    expect(uploader.nextScanDelayMs).toBe(10); // not a failure to back off from
  });
});
