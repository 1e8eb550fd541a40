// Issue 11 items 3 and 16: SessionWriter survives transient stream failures (creation, completion,
// a completion whose answer was lost), always settles with an AuditcastError when it gives up and
// counts what it could not store; and an aborted writer stops all work. Real ProtoStreams over a
// MemoryUploader with faults injected at the uploader (the codec runs on both backends).
import { describe, expect, it } from 'vitest';
import { AuditcastError } from '../../lib/errors.js';
import { SessionWriter } from '../../lib/emitters/session-writer.js';
import { ProtoReader } from '../../lib/stream/proto-reader.js';
import { ProtoStreamer } from '../../lib/stream/proto-streamer.js';
import type { RetryOptions } from '../../lib/stream/retry.js';
import { MemoryUploader } from '../../lib/uploads/memory-uploader.js';
import { UploadCompleter } from '../../lib/uploads/upload-completer.js';
import type { MultipartUploader } from '../../lib/uploads/multipart-uploader.js';
import { generateTestSession } from '../helpers/generate-session.js';

type Method = 'createUpload' | 'uploadPart' | 'listParts' | 'completeUpload';

/** A MemoryUploader whose methods fail when a script says so; counts every call. */
class FaultyUploader {
  readonly memory = new MemoryUploader();
  readonly calls: Record<Method, number> = { createUpload: 0, uploadPart: 0, listParts: 0, completeUpload: 0 };
  /** Per method: called before (or, for 'lost', after) the real call; return an error to throw. */
  before: Partial<Record<Method, (call: number) => Error | null>> = {};
  /** completeUpload: succeed, then throw this (the answer is lost). */
  lostReply: ((call: number) => Error | null) | null = null;

  readonly uploader: MultipartUploader = new Proxy(this.memory, {
    get: (target, name: string) => {
      const real = (target as unknown as Record<string, unknown>)[name];
      if (typeof real !== 'function') return real;
      return async (...args: unknown[]) => {
        const method = name as Method;
        if (method in this.calls) {
          const call = ++this.calls[method];
          const err = this.before[method]?.(call);
          if (err) throw err;
          const result = await (real as (...a: unknown[]) => Promise<unknown>).apply(target, args);
          const lost = method === 'completeUpload' ? this.lostReply?.(call) : null;
          if (lost) throw lost;
          return result;
        }
        return (real as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
}

const transient = () => new AuditcastError('CONNECTION_PROBLEM', 'simulated connection loss');
const once = (make: () => Error) => (call: number) => (call === 1 ? make() : null);

/** Faults are armed before the writer exists: it opens its stream as soon as it is constructed. */
function setup(options: { streamRetry?: RetryOptions; writerRetry?: RetryOptions; signal?: AbortSignal; printEvents?: number; faults?: (faulty: FaultyUploader) => void } = {}) {
  const faulty = new FaultyUploader();
  options.faults?.(faulty);
  const streamer = new ProtoStreamer({ uploader: faulty.uploader, minUploadBytes: 2048, retry: options.streamRetry ?? { stepMs: 1, maxAttempts: 3 } });
  const events = generateTestSession({ printEvents: options.printEvents ?? 400 });
  const sessionId = (events[0]!.Session as { SessionID: string }).SessionID;
  const writer = new SessionWriter({ sessionId, streamer, retry: options.writerRetry ?? { stepMs: 1, maxAttempts: 4 }, signal: options.signal });
  const read = async () => new ProtoReader(await faulty.memory.download(sessionId)).readAll();
  return { faulty, writer, events, sessionId, read };
}

describe('SessionWriter recovers from transient failures (item 3)', () => {
  it('createUpload failing once: every event is recorded, none lost', async () => {
    const h = setup({ faults: (f) => { f.before.createUpload = once(transient); } });
    for (const event of h.events) await h.writer.recordEvent(event);
    await h.writer.complete();
    expect((await h.read()).length).toBe(h.events.length);
    expect(h.writer.error).toBeNull();
    expect(h.writer.stats).toMatchObject({ lostEvents: 0, streamsCreated: 1 });
  });

  it('completeUpload failing once, then listParts failing once during the resume: completes', async () => {
    const h = setup({ streamRetry: { stepMs: 1, maxAttempts: 1 }, faults: (f) => { f.before.completeUpload = once(transient); f.before.listParts = once(transient); } });
    for (const event of h.events) await h.writer.recordEvent(event);
    await h.writer.complete();
    await h.writer.done;
    expect(h.writer.error).toBeNull();
    expect((await h.read()).length).toBe(h.events.length);
  });

  it('a completion that succeeded but whose answer was lost is a success, stored once', async () => {
    const h = setup({ faults: (f) => { f.lostReply = once(transient); } });
    for (const event of h.events) await h.writer.recordEvent(event);
    await h.writer.complete();
    expect(h.writer.error).toBeNull();
    const stored = await h.read();
    expect(stored.length).toBe(h.events.length);
    expect(new Set(stored.map((e) => e.Metadata.Index)).size).toBe(h.events.length);
  });

  it('when it gives up: complete() rejects with an AuditcastError, error is set, done settles; every event stored once or counted lost', async () => {
    const h = setup({
      streamRetry: { stepMs: 1, maxAttempts: 1 },
      faults: (f) => { f.before.completeUpload = () => transient(); f.before.listParts = (call) => (call === 1 ? new TypeError('socket hang up') : null); },
    });
    for (const event of h.events) await h.writer.recordEvent(event);
    const rejected = await h.writer.complete().then(() => null, (err: unknown) => err);
    expect(rejected).toBeInstanceOf(AuditcastError);
    expect(h.writer.error).toBe(rejected);
    await h.writer.done;
    // What the writer had uploaded stays in its open upload, which the completer finishes later.
    h.faulty.before.completeUpload = () => null;
    const completed = await new UploadCompleter({ uploader: h.faulty.memory, gracePeriodMs: -1 }).checkUploads();
    expect(completed.errors).toEqual([]);
    const stored = await h.read().catch(() => []);
    expect(new Set(stored.map((e) => e.Metadata.Index)).size).toBe(stored.length);
    expect(stored.length + h.writer.stats.lostEvents).toBe(h.writer.stats.acceptedEvents);
  });

  it('a plain Error from the uploader surfaces as an AuditcastError, with the events counted lost', async () => {
    const h = setup({ faults: (f) => { f.before.createUpload = () => new TypeError('cannot read properties of undefined'); } });
    const results = await Promise.allSettled(h.events.slice(0, 10).map((e) => h.writer.recordEvent(e)));
    const rejected = await h.writer.complete().then(() => null, (err: unknown) => err);
    expect(rejected).toBeInstanceOf(AuditcastError);
    for (const r of results) if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(AuditcastError);
    await h.writer.done;
    expect(h.writer.stats.lostEvents).toBe(h.writer.stats.acceptedEvents);
  });
});

describe('SessionWriter stops all work at abort (item 16)', () => {
  it('no stream is created, resumed or uploaded to after the signal fired', async () => {
    const abort = new AbortController();
    let atAbort: Record<string, number> = {};
    // The first part upload fails and the signal fires as it does: a writer that ignored the abort
    // would now resume the stream and send its parts again.
    const h = setup({
      signal: abort.signal, streamRetry: { stepMs: 1, maxAttempts: 1 }, writerRetry: { stepMs: 20, maxAttempts: 1000 },
      faults: (f) => {
        f.before.uploadPart = (call) => {
          if (call === 1) {
            atAbort = { ...f.calls };
            abort.abort();
          }
          return transient();
        };
      },
    });
    for (const event of h.events) await h.writer.recordEvent(event).catch(() => {});
    await h.writer.done;
    expect(h.writer.error).toMatchObject({ code: 'CANCELED' });
    await expect(h.writer.complete()).rejects.toMatchObject({ code: 'CANCELED' });
    await new Promise((r) => setTimeout(r, 300)); // what an unaborted writer would use to retry
    expect(h.faulty.calls).toEqual(atAbort);
    expect(h.writer.stats.streamsResumed).toBe(0);
  });
});
