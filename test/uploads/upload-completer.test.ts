// UploadCompleter (conformance §5, Teleport complete_test.go).
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { getEventListeners } from 'node:events';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { AuditLog } from '../../lib/auditlog/audit-log.js';
import { AuditcastError } from '../../lib/errors.js';
import type { AuditEvent } from '../../lib/events/event.js';
import { Timestamp } from '../../lib/events/timestamp.js';
import { ProtoStreamer } from '../../lib/stream/proto-streamer.js';
import { FileUploader } from '../../lib/uploads/file-uploader.js';
import { MemoryUploader } from '../../lib/uploads/memory-uploader.js';
import type { StreamPart, StreamUpload } from '../../lib/uploads/multipart-uploader.js';
import { UploadCompleter, recoverSessionEnd, startNewUploadCompleter } from '../../lib/uploads/upload-completer.js';
import { generateTestSession } from '../helpers/generate-session.js';

const HOUR = 3_600_000;
const MINUTE = 60_000;

class FakeClock {
  constructor(public ms = Date.UTC(2024, 0, 15, 12, 0, 0)) {}
  now = () => new Date(this.ms);
  advance(ms: number) { this.ms += ms; }
}

/** Trackers that live until their expiry, like Teleport's session trackers with a TTL. */
class FakeTrackers {
  readonly expiry = new Map<string, number>();
  constructor(private readonly clock: FakeClock) {}
  async getSessionTracker(sessionId: string) {
    const until = this.expiry.get(sessionId);
    if (until === undefined || this.clock.ms >= until) throw new AuditcastError('NOT_FOUND', `no tracker for ${sessionId}`);
    return { sessionId };
  }
  active() {
    return [...this.expiry.entries()].filter(([, until]) => this.clock.ms < until).map(([sid]) => sid);
  }
}

class RecordingLog {
  readonly emitted: AuditEvent[] = [];
  constructor(private readonly sessionEvents: AuditEvent[] = []) {}
  emitAuditEvent = async (event: AuditEvent) => { this.emitted.push(event); };
  streamSessionEvents = async function* (this: RecordingLog) { yield* this.sessionEvents; };
}

describe('UploadCompleter', () => {
  it('TestUploadCompleterCompletesAbandonedUploads: tracker expiry, then the grace period', async () => {
    const clock = new FakeClock();
    const uploader = new MemoryUploader({ now: clock.now });
    const trackers = new FakeTrackers(clock);
    const completer = new UploadCompleter({ uploader, sessionTracker: trackers, clock, gracePeriodMs: 24 * HOUR });
    const sid = randomUUID();
    trackers.expiry.set(sid, clock.ms + HOUR);
    const upload = await uploader.createUpload(sid);

    expect((await completer.checkUploads()).completed).toEqual([]);
    clock.advance(2 * HOUR);
    expect(trackers.active()).toEqual([]);
    expect((await completer.checkUploads()).completed).toEqual([]);
    clock.advance(22 * HOUR + 1);
    const result = await completer.checkUploads();
    expect(result.completed.map((u) => u.id)).toEqual([upload.id]);
    expect(result.errors).toEqual([]);
  });

  it('TestUploadCompleterNeedsSemaphore: no lock, no pass', async () => {
    const clock = new FakeClock();
    const uploader = new MemoryUploader({ now: clock.now });
    const upload = await uploader.createUpload(randomUUID());
    await uploader.uploadPart(upload, 1, Buffer.from('x'));
    const completer = new UploadCompleter({
      uploader, clock, gracePeriodMs: -1, acquireLock: async () => { throw new Error('semaphore taken'); },
    });
    expect(await completer.performPeriodicCheck()).toBeNull();
    await expect(uploader.download(upload.sessionId)).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('TestUploadCompleterAcquiresSemaphore: with the lock, a negative grace completes at once', async () => {
    const clock = new FakeClock();
    const uploader = new MemoryUploader({ now: clock.now });
    const upload = await uploader.createUpload(randomUUID());
    await uploader.uploadPart(upload, 1, Buffer.from('x'));
    let locks = 0;
    const completer = new UploadCompleter({ uploader, clock, gracePeriodMs: -1, acquireLock: async () => { locks++; } });
    const result = await completer.performPeriodicCheck();
    expect(locks).toBe(1);
    expect(result?.completed.map((u) => u.id)).toEqual([upload.id]);
    expect((await uploader.download(upload.sessionId)).toString()).toBe('x');
  });

  for (const [startMessage, startType, endType] of [
    ['SessionStart', 'session.start', 'session.end'],
    ['WindowsDesktopSessionStart', 'windows.desktop.session.start', 'windows.desktop.session.end'],
  ] as const) {
    it(`TestUploadCompleterEmitsSessionEnd: ${startType} → ${endType}`, async () => {
      const clock = new FakeClock();
      const start = Timestamp.fromDate(clock.now());
      const sid = randomUUID();
      const events: AuditEvent[] = [
        {
          $type: startMessage,
          Metadata: { Index: 0, Type: startType, ID: randomUUID(), Code: 'T2000I', Time: start, ClusterName: 'teleport-cluster' },
          User: { User: 'alice' },
          Session: { SessionID: sid },
          ...(startMessage === 'SessionStart' ? { TerminalSize: '80:25' } : { DesktopName: 'desk' }),
        } as AuditEvent,
        {
          $type: 'SessionPrint',
          Metadata: { Index: 1, Type: 'print', ID: '', Code: '', Time: Timestamp.fromMillis(clock.ms + 2 * MINUTE), ClusterName: '' },
        } as AuditEvent,
      ];
      const log = new RecordingLog(events);
      const uploader = new MemoryUploader({ now: clock.now });
      const upload = await uploader.createUpload(sid);
      await uploader.uploadPart(upload, 1, Buffer.from('part'));
      const completer = new UploadCompleter({
        uploader, auditLog: log, clock, gracePeriodMs: -1, clusterName: 'teleport-cluster', sessionEndDelayMs: 0,
      });
      await completer.checkUploads();
      await completer.drain();
      expect(log.emitted.length).toBe(2);
      const [uploadEvent, end] = log.emitted;
      expect(uploadEvent!.Metadata).toMatchObject({ Type: 'session.upload', Code: 'T2005I', Index: 2_147_483_647, ClusterName: 'teleport-cluster' });
      expect((uploadEvent!.Metadata.Time as Timestamp).toMillis()).toBe(start.toMillis());
      expect(uploadEvent!.SessionURL).toBe(`memory://${sid}`);
      expect(uploadEvent!.SessionMetadata).toEqual({ SessionID: sid });
      expect(end!.Metadata.Type).toBe(endType);
      expect((end!.Metadata.Time as Timestamp).toMillis()).toBe(clock.ms + 2 * MINUTE);
      expect(end!.Metadata.ID).toMatch(/^[0-9a-f-]{36}$/);
      expect(end!.Participants).toEqual(['alice']);
      if (endType === 'session.end') {
        expect(end).toMatchObject({ $type: 'SessionEnd', Interactive: true, Session: { SessionID: sid } });
        expect(end!.Metadata.Code).toBe('T2004I');
      } else {
        expect(end).toMatchObject({ $type: 'WindowsDesktopSessionEnd', DesktopName: 'desk (recovered)', Recorded: true });
        expect(end!.Metadata.Code).toBe('TDP01I');
      }
    });
  }

  it('emits nothing but the completion for an upload with no parts, and no session end when one exists', async () => {
    const clock = new FakeClock();
    const uploader = new MemoryUploader({ now: clock.now });
    const log = new RecordingLog(generateTestSession({ printEvents: 2 }));
    await uploader.createUpload(randomUUID());
    const completer = new UploadCompleter({ uploader, auditLog: log, clock, gracePeriodMs: -1, sessionEndDelayMs: 0 });
    expect((await completer.checkUploads()).completed.length).toBe(1);
    await completer.drain();
    expect(log.emitted).toEqual([]);
    expect(await completer.ensureSessionEndEvent(randomUUID())).toBeNull(); // the log's session has its end
  });

  it('TestCheckUploadsSkipsUploadsInProgress: the grace period runs from the newest part', async () => {
    const clock = new FakeClock();
    const uploader = new MemoryUploader({ now: clock.now });
    const upload = await uploader.createUpload(randomUUID());
    clock.advance(30 * MINUTE - (6 * MINUTE + 40_000));
    await uploader.uploadPart(upload, 1, Buffer.from('x'));
    clock.advance(6 * MINUTE + 40_000);
    const completer = new UploadCompleter({ uploader, clock, gracePeriodMs: 10 * MINUTE });
    const result = await completer.checkUploads();
    expect(result.completed).toEqual([]);
    expect(result.skipped.map((u) => u.id)).toEqual([upload.id]);
    clock.advance(3 * MINUTE + 20_001);
    expect((await completer.checkUploads()).completed.map((u) => u.id)).toEqual([upload.id]);
  });

  it('TestCheckUploadsContinuesOnError: NOT_FOUND on one upload, the next is still completed', async () => {
    const clock = new FakeClock();
    const trackers = new FakeTrackers(clock);
    class FirstCompleteNotFound extends MemoryUploader {
      first = true;
      override async completeUpload(upload: StreamUpload, parts: readonly StreamPart[]) {
        if (this.first) {
          this.first = false;
          throw new AuditcastError('NOT_FOUND', 'upload not found');
        }
        return super.completeUpload(upload, parts);
      }
    }
    const uploader = new FirstCompleteNotFound({ now: clock.now });
    const [a, b] = [randomUUID(), randomUUID()];
    trackers.expiry.set(a, clock.ms + HOUR);
    trackers.expiry.set(b, clock.ms + HOUR);
    await uploader.createUpload(a);
    const second = await uploader.createUpload(b);
    const completer = new UploadCompleter({ uploader, sessionTracker: trackers, clock, gracePeriodMs: 0 });
    clock.advance(HOUR);
    const result = await completer.checkUploads();
    expect(result.completed.map((u) => u.id)).toEqual([second.id]);
    expect(result.errors).toEqual([]);
  });

  it('one failing upload never stops the pass (any error), and is reported', async () => {
    const clock = new FakeClock();
    class FirstCompleteBroken extends MemoryUploader {
      first = true;
      override async completeUpload(upload: StreamUpload, parts: readonly StreamPart[]) {
        if (this.first) {
          this.first = false;
          throw new Error('disk on fire');
        }
        return super.completeUpload(upload, parts);
      }
    }
    const uploader = new FirstCompleteBroken({ now: clock.now });
    const first = await uploader.createUpload(randomUUID());
    const second = await uploader.createUpload(randomUUID());
    const seen: string[] = [];
    const completer = new UploadCompleter({ uploader, clock, gracePeriodMs: -1, onError: (e, u) => seen.push(`${u?.id}:${e.code}`) });
    const result = await completer.checkUploads();
    expect(result.completed.map((u) => u.id)).toEqual([second.id]);
    expect(result.errors.map((e) => [e.upload.id, e.error.code])).toEqual([[first.id, 'CONNECTION_PROBLEM']]);
    expect(seen).toEqual([`${first.id}:CONNECTION_PROBLEM`]);
    // A tracker error skips the upload too, and the pass goes on.
    const trackerDown = new UploadCompleter({
      uploader, clock, gracePeriodMs: -1,
      sessionTracker: { getSessionTracker: async () => { throw new AuditcastError('CONNECTION_PROBLEM', 'backend down'); } },
    });
    expect((await trackerDown.checkUploads()).errors.length).toBe(1);
  });

  it('completes an abandoned on-disk upload, emits session.upload with its URL and recovers session.end from the recording', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'auditcast-completer-'));
    try {
      const uploader = new FileUploader({ directory: dir });
      const events = generateTestSession({ printEvents: 300 }).slice(0, -1); // the recorder died: no session.end
      const sid = (events[0]!.Session as { SessionID: string }).SessionID;
      const stream = await new ProtoStreamer({ uploader, minUploadBytes: 1024 }).createAuditStream(sid);
      for (const event of events) await stream.recordEvent(event);
      await stream.close(); // parts uploaded, upload left open

      const log = { emitted: [] as AuditEvent[], emitAuditEvent: async (e: AuditEvent) => { log.emitted.push(e); } };
      const completer = new UploadCompleter({ uploader, auditLog: log, gracePeriodMs: -1, sessionEndDelayMs: 0, clusterName: 'c1' });
      const result = await completer.checkUploads();
      expect(result.completed.length).toBe(1);
      await completer.drain();
      expect(log.emitted.map((e) => e.Metadata.Type)).toEqual(['session.upload', 'session.end']);
      expect(log.emitted[0]!.SessionURL).toBe(`file://${dir}/multi/${sid}`);
      const end = log.emitted[1]!;
      expect((end.Metadata.Time as Timestamp).toMillis()).toBe(Timestamp.from(events.at(-1)!.Metadata.Time).toMillis());
      expect((end.StartTime as Timestamp).toMillis()).toBe(Timestamp.from(events[0]!.Metadata.Time).toMillis());
      expect(end.Participants).toEqual(['alice@example.com']);
      expect(await uploader.listUploads()).toEqual([]);
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });

  it('with the AuditLog facade: events land in the file log, the recording is streamed through its cache', async () => {
    const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'auditcast-completer-auditlog-'));
    try {
      const uploader = new FileUploader({ directory: path.join(dataDir, 'log', 'records') });
      const auditLog = new AuditLog({ dataDir, serverId: randomUUID(), uploader });
      try {
        const events = generateTestSession({ printEvents: 50 }).slice(0, -1);
        const sid = (events[0]!.Session as { SessionID: string }).SessionID;
        const stream = await new ProtoStreamer({ uploader, minUploadBytes: 1024 }).createAuditStream(sid);
        for (const event of events) await stream.recordEvent(event);
        await stream.close();
        const completer = new UploadCompleter({ uploader, auditLog, gracePeriodMs: -1, sessionEndDelayMs: 0 });
        expect((await completer.checkUploads()).completed.length).toBe(1);
        await completer.drain();
        const found = await auditLog.searchEvents({ from: '2019-01-01T00:00:00Z', to: '2100-01-01T00:00:00Z', eventTypes: ['session.upload', 'session.end'] });
        expect(found.events.map((e) => e.Metadata.Type).sort()).toEqual(['session.end', 'session.upload']);
      } finally {
        await auditLog.close();
      }
    } finally {
      await fs.rm(dataDir, { recursive: true, force: true });
    }
  });

  it('recoverSessionEnd: joins add participants once; no start is BAD_PARAMETER; no events NOT_FOUND', async () => {
    const t = (ms: number) => Timestamp.fromMillis(ms);
    const m = (Type: string, ms: number) => ({ Index: 0, Type, ID: '', Code: '', Time: t(ms), ClusterName: '' });
    const end = await recoverSessionEnd([
      { Metadata: m('session.start', 1000), User: { User: 'a' }, Session: { SessionID: 's' } },
      { Metadata: m('session.join', 2000), User: { User: 'b' } },
      { Metadata: m('session.join', 3000), User: { User: 'a' } },
      { Metadata: m('print', 4000) },
    ] as AuditEvent[]);
    expect(end?.Participants).toEqual(['a', 'b']);
    expect(end?.Interactive).toBe(false);
    expect((end?.EndTime as Timestamp).toMillis()).toBe(4000);
    await expect(recoverSessionEnd([{ Metadata: m('print', 1) }] as AuditEvent[])).rejects.toMatchObject({ code: 'BAD_PARAMETER' });
    await expect(recoverSessionEnd([])).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  describe('serve(signal) and startNewUploadCompleter (fake timers: each pass is a timer that fires)', () => {
    afterEach(() => { vi.useRealTimers(); });

    /** A MemoryUploader that counts the passes (one listUploads per pass). */
    class CountingUploader extends MemoryUploader {
      passes = 0;
      override listUploads(options?: { signal?: AbortSignal }) {
        this.passes++;
        return super.listUploads(options);
      }
    }

    it('serve: the first pass after half the period, then one per period, until the signal aborts', async () => {
      vi.useFakeTimers();
      const uploader = new CountingUploader();
      const completer = new UploadCompleter({ uploader, gracePeriodMs: -1, checkPeriodMs: 100 });
      const controller = new AbortController();
      let served = false;
      const serving = completer.serve({ signal: controller.signal }).then(() => { served = true; });
      await vi.advanceTimersByTimeAsync(49);
      expect(uploader.passes).toBe(0);
      await vi.advanceTimersByTimeAsync(1);
      expect(uploader.passes).toBe(1);
      await vi.advanceTimersByTimeAsync(200);
      expect(uploader.passes).toBe(3);
      await expect(completer.serve()).rejects.toMatchObject({ code: 'BAD_PARAMETER' });
      controller.abort();
      await serving;
      expect(served).toBe(true);
      expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
      await vi.advanceTimersByTimeAsync(1000);
      expect(uploader.passes).toBe(3);
      // Aborting stops the loop, not the completer: it serves again, until close().
      const again = completer.serve();
      await vi.advanceTimersByTimeAsync(50);
      expect(uploader.passes).toBe(4);
      completer.close();
      await again;
      await vi.advanceTimersByTimeAsync(1000);
      expect(uploader.passes).toBe(4);
    });

    it('serve: an aborted signal or a closed completer resolves at once without a pass', async () => {
      vi.useFakeTimers();
      const uploader = new CountingUploader();
      const completer = new UploadCompleter({ uploader, checkPeriodMs: 100 });
      await completer.serve({ signal: AbortSignal.abort() });
      completer.close();
      await completer.serve();
      await vi.advanceTimersByTimeAsync(1000);
      expect(uploader.passes).toBe(0);
    });

    it('serve: aborting cancels the pass in flight, and the abort is not reported as an error', async () => {
      const errors: AuditcastError[] = [];
      const controller = new AbortController();
      let listed!: () => void;
      const listing = new Promise<void>((resolve) => { listed = resolve; });
      const uploader = new (class extends MemoryUploader {
        override listUploads(options?: { signal?: AbortSignal }): Promise<StreamUpload[]> {
          listed();
          return new Promise((_, reject) => {
            options?.signal?.addEventListener('abort', () => reject(new AuditcastError('CONNECTION_PROBLEM', 'aborted')), { once: true });
          });
        }
      })();
      const completer = new UploadCompleter({ uploader, checkPeriodMs: 2, onError: (e) => errors.push(e) });
      const serving = completer.serve({ signal: controller.signal });
      await listing;
      controller.abort();
      await serving;
      expect(errors).toEqual([]);
    });

    it('startNewUploadCompleter: completes abandoned uploads in the background and closes when the signal aborts', async () => {
      vi.useFakeTimers();
      const uploader = new CountingUploader();
      const sid = randomUUID();
      await uploader.createUpload(sid);
      const controller = new AbortController();
      const completer = startNewUploadCompleter({ uploader, gracePeriodMs: -1, checkPeriodMs: 100 }, { signal: controller.signal });
      expect(completer).toBeInstanceOf(UploadCompleter);
      expect(await uploader.listUploads()).toHaveLength(1);
      await vi.advanceTimersByTimeAsync(50);
      expect(await uploader.listUploads()).toEqual([]);
      const passes = uploader.passes;
      controller.abort();
      await vi.advanceTimersByTimeAsync(0);
      expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
      await uploader.createUpload(randomUUID());
      await vi.advanceTimersByTimeAsync(1000);
      expect(uploader.passes).toBe(passes); // closed: no more passes
      await expect(completer.serve()).resolves.toBeUndefined(); // closed for good
      expect(() => startNewUploadCompleter({ uploader, checkPeriodMs: 0 })).toThrow(/checkPeriodMs/);
    });
  });
});
