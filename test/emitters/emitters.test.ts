import { describe, expect, it } from 'vitest';
import { AsyncEmitter } from '../../lib/emitters/async-emitter.js';
import { CallbackEmitter } from '../../lib/emitters/callback-emitter.js';
import { CheckingEmitter } from '../../lib/emitters/checking-emitter.js';
import { DiscardEmitter, DiscardRecorder, DiscardStreamer } from '../../lib/emitters/discard.js';
import { LoggingEmitter } from '../../lib/emitters/logging-emitter.js';
import { MultiEmitter } from '../../lib/emitters/multi-emitter.js';
import { ReportingStreamer, type StreamUploadEvent } from '../../lib/emitters/reporting-streamer.js';
import { AuditcastError } from '../../lib/errors.js';
import type { AuditEventInput } from '../../lib/events/event.js';
import { Timestamp } from '../../lib/events/timestamp.js';
import { ProtoStreamer } from '../../lib/stream/proto-streamer.js';
import { MemoryUploader } from '../../lib/uploads/memory-uploader.js';
import { generateTestSession } from '../helpers/generate-session.js';

const events = generateTestSession({ printEvents: 20 });

describe('AsyncEmitter (conformance-scenarios §3)', () => {
  it('Slow: never blocks the caller, even when the inner emitter never returns', async () => {
    const emitter = new AsyncEmitter({ inner: new CallbackEmitter(() => new Promise(() => undefined)), bufferSize: 5 });
    await Promise.all(events.map((e) => emitter.emitAuditEvent(e)));
    expect(emitter.dropped).toBe(events.length - 5 - 1);
  });

  it('Receive: emits every event in order', async () => {
    const received: AuditEventInput[] = [];
    const emitter = new AsyncEmitter({ inner: new CallbackEmitter(async (e) => { await new Promise((r) => setImmediate(r)); received.push(e); }) });
    for (const event of events) await emitter.emitAuditEvent(event);
    await emitter.flush();
    expect(received).toEqual(events);
  });

  it('Close: cancels in-flight work; pending calls return', async () => {
    let count = 0;
    let sawAbort = false;
    const emitter = new AsyncEmitter({
      bufferSize: 22,
      inner: new CallbackEmitter(async (_e, options) => {
        count++;
        await new Promise<void>((resolve) => options?.signal?.addEventListener('abort', () => { sawAbort = true; resolve(); }));
      }),
    });
    await Promise.all(events.map((e) => emitter.emitAuditEvent(e)));
    await emitter.close();
    expect(count).toBeLessThanOrEqual(22);
    expect(sawAbort).toBe(true);
    expect(emitter.dropped).toBe(events.length - count);
    await emitter.emitAuditEvent(events[0]);
    expect(emitter.dropped).toBe(events.length - count + 1);
  });
});

describe('CheckingEmitter', () => {
  it('fills id, time and cluster name, and keeps what is set', async () => {
    const seen: AuditEventInput[] = [];
    const emitter = new CheckingEmitter({
      inner: new CallbackEmitter((e) => { seen.push(e); }), clusterName: 'cl', uid: () => 'the-id', now: () => new Date(Date.UTC(2026, 0, 2)),
    });
    await emitter.emitAuditEvent({ Metadata: { Type: 'user.login', Code: 'T1000I' } });
    await emitter.emitAuditEvent({ Metadata: { Type: 'print' } });
    expect(seen[0].Metadata).toMatchObject({ ID: 'the-id', ClusterName: 'cl' });
    expect((seen[0].Metadata!.Time as Timestamp).toISOString()).toBe('2026-01-02T00:00:00Z');
    expect(seen[1].Metadata?.ID).toBeUndefined();
  });

  it('refuses an event without type or code', async () => {
    const emitter = new CheckingEmitter({ inner: new DiscardEmitter() });
    await expect(emitter.emitAuditEvent({ Metadata: { Code: 'X' } })).rejects.toMatchObject({ code: 'BAD_PARAMETER' });
    await expect(emitter.emitAuditEvent({ Metadata: { Type: 'user.login' } })).rejects.toThrow(/no code/);
  });
});

describe('MultiEmitter, LoggingEmitter, Discard*', () => {
  it('fans out to every emitter and reports every failure', async () => {
    const a: AuditEventInput[] = [];
    const b: AuditEventInput[] = [];
    await new MultiEmitter(new CallbackEmitter((e) => { a.push(e); }), new CallbackEmitter((e) => { b.push(e); })).emitAuditEvent(events[0]);
    expect(a).toHaveLength(1);
    expect(b).toHaveLength(1);
    const failing = new CallbackEmitter(() => { throw new AuditcastError('CONNECTION_PROBLEM', 'down'); });
    await expect(new MultiEmitter(failing, failing).emitAuditEvent(events[0])).rejects.toBeInstanceOf(AggregateError);
    await expect(new MultiEmitter(new DiscardEmitter(), failing).emitAuditEvent(events[0])).rejects.toMatchObject({ code: 'CONNECTION_PROBLEM' });
  });

  it('LoggingEmitter skips print events', async () => {
    const lines: string[] = [];
    const logger = new LoggingEmitter((line) => lines.push(line));
    for (const event of events) await logger.emitAuditEvent(event);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toContain('type=session.start code=T2000I');
  });

  it('DiscardStreamer gives streams that take everything and finish', async () => {
    const stream = await new DiscardStreamer().createAuditStream('s');
    expect((await stream.status.next())?.lastEventIndex).toBe(-1);
    await stream.recordEvent(events[0]);
    await stream.complete();
    await stream.done;
    const recorder = new DiscardRecorder('s');
    await recorder.write(Buffer.from('x'));
    await recorder.close();
  });
});

describe('ReportingStreamer', () => {
  it('reports each completed upload', async () => {
    const reports: StreamUploadEvent[] = [];
    const uploader = new MemoryUploader();
    const streamer = new ReportingStreamer(new ProtoStreamer({ uploader }), (e) => reports.push(e));
    const stream = await streamer.createAuditStream('reported');
    await stream.recordEvent(events[0]);
    await stream.complete();
    expect(reports).toEqual([{ sessionId: 'reported', uploadId: stream.uploadId, created: expect.any(Date) }]);
  });
});

describe('WriterEmitter', () => {
  it('writes one Teleport JSON line per event (TestWriterEmitter)', async () => {
    const { PassThrough } = await import('node:stream');
    const { WriterEmitter } = await import('../../lib/emitters/writer-emitter.js');
    const sink = new PassThrough();
    const chunks: Buffer[] = [];
    sink.on('data', (c: Buffer) => chunks.push(c));
    const emitter = new WriterEmitter(sink);
    const session = generateTestSession({ printEvents: 0 });
    for (const event of session) await emitter.emitAuditEvent(event);
    await emitter.close();
    const lines = Buffer.concat(chunks).toString().trim().split('\n');
    expect(lines).toHaveLength(2);
    lines.forEach((line, i) => expect(line).toContain(`"code":"${session[i].Metadata.Code}"`));
    expect(JSON.parse(lines[0]).event).toBe('session.start');
  });
});
