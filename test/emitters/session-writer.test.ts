import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import { AuditcastError } from '../../lib/errors.js';
import { CallbackStreamer } from '../../lib/emitters/callback-streamer.js';
import { SessionWriter } from '../../lib/emitters/session-writer.js';
import type { AuditEvent, AuditEventInput } from '../../lib/events/event.js';
import { Preparer } from '../../lib/events/preparer.js';
import { ProtoReader } from '../../lib/stream/proto-reader.js';
import { ProtoStreamer } from '../../lib/stream/proto-streamer.js';
import { ReservePartError } from '../../lib/stream/reserve-part-error.js';
import type { Streamer } from '../../lib/stream/streamer.js';
import { MemoryUploader } from '../../lib/uploads/memory-uploader.js';
import { loadScriptSession } from '../helpers/corpus.js';
import { generateTestSession } from '../helpers/generate-session.js';
import { expectSameEvents } from '../helpers/normalize.js';

function harness(wrap?: (inner: Streamer) => Streamer, options: Partial<ConstructorParameters<typeof SessionWriter>[0]> = {}) {
  const uploader = new MemoryUploader();
  const inner = new ProtoStreamer({ uploader, retry: { stepMs: 1 } });
  const events = generateTestSession({ printEvents: 1024 });
  const sessionId = (events[0].Session as { SessionID: string }).SessionID;
  const streamer = wrap ? wrap(inner) : inner;
  const writer = new SessionWriter({ sessionId, streamer, clusterName: 'cluster', ...options });
  const expectedPreparer = new Preparer({ sessionId, namespace: 'default', clusterName: 'cluster' });
  const expected = events.map((e) => expectedPreparer.prepareSessionEvent(e));
  const read = async () => new ProtoReader(await uploader.download(sessionId)).readAll();
  return { uploader, writer, events, expected, read, sessionId };
}

function failOnce(predicate: (event: AuditEventInput) => boolean): (sid: string, event: AuditEventInput) => void {
  let failed = false;
  return (_sid, event) => {
    if (!failed && predicate(event)) {
      failed = true;
      throw new AuditcastError('CONNECTION_PROBLEM', 'simulated connection loss');
    }
  };
}

function failOnceWith(error: Error): (sid: string, event: AuditEventInput) => void {
  let failed = false;
  return () => {
    if (!failed) {
      failed = true;
      throw error;
    }
  };
}

describe('SessionWriter (conformance-scenarios §4)', () => {
  it('Session: records every event', async () => {
    const h = harness();
    for (const event of h.events) await h.writer.recordEvent(event);
    await h.writer.complete();
    expectSameEvents(await h.read(), h.expected, expect);
    expect(h.writer.stats).toMatchObject({ acceptedEvents: 1026, lostEvents: 0, streamsCreated: 1, streamsResumed: 0 });
  });

  it('ResumeStart: with no status seen, a failure recreates the stream', async () => {
    let stolen = false;
    const h = harness((inner) => new CallbackStreamer({
      inner,
      onCreateAuditStream: async (sid, s, o) => {
        const stream = await s.createAuditStream(sid, o);
        if (!stolen) {
          stolen = true;
          await stream.status.next(); // the writer never sees the first status
        }
        return stream;
      },
      onRecordEvent: failOnce((e) => (e.Metadata?.Index ?? 0) > 1),
    }));
    for (const event of h.events) await h.writer.recordEvent(event);
    await h.writer.complete();
    expectSameEvents(await h.read(), h.expected, expect);
    expect(h.writer.stats).toMatchObject({ streamsCreated: 2, streamsResumed: 0 });
  });

  it('ResumeMiddle: a failure after event 600 resumes the upload', async () => {
    const h = harness((inner) => new CallbackStreamer({ inner, onRecordEvent: failOnce((e) => (e.Metadata?.Index ?? 0) > 600) }));
    for (const event of h.events) await h.writer.recordEvent(event);
    await h.writer.complete();
    expectSameEvents(await h.read(), h.expected, expect);
    expect(h.writer.stats).toMatchObject({ streamsCreated: 1, streamsResumed: 1 });
  });

  it('Backoff: a hung stream never blocks the caller; events are dropped and counted', async () => {
    let release!: () => void;
    const released = new Promise<void>((r) => { release = r; });
    let hung = false;
    const h = harness((inner) => new CallbackStreamer({
      inner,
      onRecordEvent: async (_sid, e) => {
        if (!hung && (e.Metadata?.Index ?? 0) >= 599) {
          hung = true;
          await released;
          throw new AuditcastError('CONNECTION_PROBLEM', 'stream hung');
        }
      },
    }), { bufferSize: 10, backoffTimeoutMs: 100, backoffDurationMs: 1000 });
    // Every call settles while the stream is still hung.
    await Promise.all(h.events.map((e) => h.writer.recordEvent(e)));
    expect(hung).toBe(true);
    release();
    await h.writer.complete();
    const out = await h.read();
    const accepted = h.writer.stats.acceptedEvents;
    expect(h.writer.stats.lostEvents).toBe(1026 - accepted);
    expect(h.writer.stats.lostEvents).toBeGreaterThan(0);
    expect(h.writer.stats.slowWrites).toBeGreaterThan(0);
    expect(out.map((e) => e.Metadata.Index)).toEqual(h.expected.slice(0, accepted).map((e) => e.Metadata.Index));
    expect(out.length).toBeGreaterThanOrEqual(600);
    expect(h.writer.stats.streamsResumed).toBe(1);
  });

  it('SetsEventDefaults: every event gets the cluster name', async () => {
    const seen: AuditEventInput[] = [];
    const h = harness((inner) => new CallbackStreamer({ inner, onRecordEvent: (_sid, e) => { seen.push(e); } }));
    for (const event of h.events) {
      expect(event.Metadata.ClusterName).toBe('');
      await h.writer.recordEvent(event);
    }
    await h.writer.complete();
    expect(seen).toHaveLength(h.events.length);
    expect(seen.every((e) => e.Metadata?.ClusterName === 'cluster')).toBe(true);
  });

  it('NonRecoverable: a stream that cannot reserve parts stops the writer, without resuming', async () => {
    class FullDisk extends MemoryUploader {
      override async reserveUploadPart(): Promise<void> {
        throw new AuditcastError('LIMIT_EXCEEDED', 'no space left on device');
      }
    }
    const sessionId = randomUUID();
    const writer = new SessionWriter({ sessionId, streamer: new ProtoStreamer({ uploader: new FullDisk(), retry: { stepMs: 1 } }), retry: { stepMs: 1 } });
    await writer.recordEvent({ Metadata: { Type: 'session.start', Code: 'T2000I' } }).catch(() => undefined);
    await writer.done;
    expect(writer.error).toBeInstanceOf(ReservePartError);
    expect(writer.error).toMatchObject({ code: 'LIMIT_EXCEEDED', message: expect.stringContaining('no space left on device') });
    expect(writer.stats.streamsResumed).toBe(0);
    await expect(writer.complete()).rejects.toBeInstanceOf(ReservePartError);
  });

  it('an error whose message only looks like a reserve failure is recovered from (codes, not words)', async () => {
    const uploader = new MemoryUploader();
    const events = generateTestSession({ printEvents: 8 });
    const sessionId = (events[0].Session as { SessionID: string }).SessionID;
    const impostor = new CallbackStreamer({
      inner: new ProtoStreamer({ uploader, retry: { stepMs: 1 } }),
      onRecordEvent: failOnceWith(new AuditcastError('CONNECTION_PROBLEM', 'uploader failed to reserve upload part')),
    });
    const writer = new SessionWriter({ sessionId, streamer: impostor, retry: { stepMs: 1 } });
    for (const event of events) await writer.recordEvent(event);
    await writer.complete();
    expect(writer.error).toBeNull();
    expect(writer.stats.streamsResumed + writer.stats.streamsCreated).toBeGreaterThan(1);
    expect(await new ProtoReader(await uploader.download(sessionId)).readAll()).toHaveLength(events.length);
  });
});

describe('SessionWriter: terminal bytes', () => {
  it('writes the build corpus through write() and reads back the exact PTY bytes, split under 64 KiB', async () => {
    const { chunks, bytes } = loadScriptSession('build');
    const uploader = new MemoryUploader();
    const writer = new SessionWriter({ sessionId: 'build', streamer: new ProtoStreamer({ uploader, minUploadBytes: 64 * 1024 }) });
    await writer.recordEvent({ Metadata: { Type: 'session.start', Code: 'T2000I' }, TerminalSize: '80:25' });
    for (const chunk of chunks) await writer.write(chunk.data);
    await writer.write(Buffer.alloc(200_000, 0x61)); // one large write
    await writer.recordEvent({ Metadata: { Type: 'session.end', Code: 'T2004I' } });
    await writer.complete();
    const out: AuditEvent[] = await new ProtoReader(await uploader.download('build')).readAll();
    const prints = out.filter((e) => e.$type === 'SessionPrint');
    expect(Buffer.concat(prints.map((e) => e.Data as Uint8Array)).equals(Buffer.concat([bytes, Buffer.alloc(200_000, 0x61)]))).toBe(true);
    expect(prints.every((e) => (e.Data as Uint8Array).length < 64 * 1024)).toBe(true);
    expect(out.map((e) => e.Metadata.Index)).toEqual(out.map((_, i) => i));
    let offset = 0;
    prints.forEach((e, i) => {
      expect(e.Offset).toBe(offset);
      expect(e.ChunkIndex).toBe(i);
      offset += (e.Data as Uint8Array).length;
    });
    expect(out[0].Session).toMatchObject({ SessionID: 'build' });
  });

  it('works as a Node Writable; end() completes the recording', async () => {
    const { bytes } = loadScriptSession('typing');
    const uploader = new MemoryUploader();
    const writer = new SessionWriter({ sessionId: 'typing', streamer: new ProtoStreamer({ uploader }) });
    await pipeline(Readable.from([bytes.subarray(0, 1000), bytes.subarray(1000)]), writer.writable());
    const out = await new ProtoReader(await uploader.download('typing')).readAll();
    expect(Buffer.concat(out.map((e) => e.Data as Uint8Array)).equals(bytes)).toBe(true);
  });

  it('keeps print timing from event times: delay is milliseconds since the first print', async () => {
    const uploader = new MemoryUploader();
    const writer = new SessionWriter({ sessionId: 'timing', streamer: new ProtoStreamer({ uploader }) });
    const t0 = Date.UTC(2026, 0, 1);
    for (const [i, ms] of [0, 250, 1000].entries()) {
      await writer.recordEvent({ Metadata: { Type: 'print', Time: new Date(t0 + ms) }, Data: Buffer.from(`chunk${i}`) });
    }
    await writer.complete();
    const out = await new ProtoReader(await uploader.download('timing')).readAll();
    expect(out.map((e) => e.DelayMilliseconds)).toEqual([0, 250, 1000]);
    expect(out.map((e) => e.Offset)).toEqual([0, 6, 12]);
  });

  it('refuses events without a type or code with a clear error', async () => {
    const writer = new SessionWriter({ sessionId: 'bad', streamer: new ProtoStreamer({ uploader: new MemoryUploader() }) });
    await expect(writer.recordEvent({ Metadata: {} })).rejects.toMatchObject({ code: 'BAD_PARAMETER', message: 'event type is empty' });
    await expect(writer.recordEvent({ Metadata: { Type: 'session.start' } })).rejects.toMatchObject({ code: 'BAD_PARAMETER' });
    await writer.complete();
  });
});
