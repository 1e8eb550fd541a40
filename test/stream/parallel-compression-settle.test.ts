// With parallel compression a full chunk compresses on libuv's pool. These pin that the stream
// neither waits for more output to upload a full part nor leaves anything unsettled when a part
// upload fails or the signal aborts, with chunks still compressing or not. Each test would hang
// (and hit its timeout) if a promise were left pending. Runs on both backends (AUDITCAST_FORCE_JS=1).
import { describe, expect, it } from 'vitest';
import { AuditcastError } from '../../lib/errors.js';
import type { MultipartUploader } from '../../lib/stream/multipart-uploader.js';
import { ProtoStreamer } from '../../lib/stream/proto-streamer.js';
import { MemoryUploader } from '../../lib/uploads/memory-uploader.js';
import { generateTestSession } from '../helpers/generate-session.js';

const GUARD_MS = 10_000;
/** Enough print output for a few full 64 KiB chunks, each over the 2 KiB part size once compressed. */
const events = generateTestSession({ printEvents: 400 });

/** A MemoryUploader whose part uploads run `onUpload` first; an error it returns is thrown. */
function uploaderWith(onUpload: (call: number) => Error | null) {
  const memory = new MemoryUploader();
  let uploads = 0;
  const uploader: MultipartUploader = new Proxy(memory, {
    get: (target, name: string) => {
      const real = (target as unknown as Record<string, unknown>)[name] as ((...args: unknown[]) => Promise<unknown>);
      if (name !== 'uploadPart') return typeof real === 'function' ? real.bind(target) : real;
      return async (...args: unknown[]) => {
        const err = onUpload(++uploads);
        if (err) throw err;
        return real.apply(target, args);
      };
    },
  });
  return { uploader, uploads: () => uploads };
}

async function openStream(uploader: MultipartUploader, signal?: AbortSignal) {
  const streamer = new ProtoStreamer({ uploader, minUploadBytes: 2048, retry: { stepMs: 1, maxAttempts: 1 }, parallelCompression: true });
  return streamer.createAuditStream('parallel-settle', { signal });
}

describe('ProtoStream with parallel compression settles', () => {
  it('uploads a full part once its chunks are compressed, without waiting for more events', async () => {
    const { uploader, uploads } = uploaderWith(() => null);
    const stream = await openStream(uploader);
    for (const event of events) await stream.recordEvent(event);
    expect((await stream.status.next())?.lastEventIndex).toBe(-1);
    const first = await stream.status.next();
    expect(first?.lastEventIndex).toBeGreaterThanOrEqual(0);
    expect(uploads()).toBeGreaterThan(0);
    await stream.complete();
  }, GUARD_MS);

  it('a part upload failing while the signal aborts: done settles, CANCELED, no further upload', async () => {
    const abort = new AbortController();
    const { uploader, uploads } = uploaderWith(() => {
      abort.abort();
      return new AuditcastError('CONNECTION_PROBLEM', 'simulated connection loss');
    });
    const stream = await openStream(uploader, abort.signal);
    for (const event of events) await stream.recordEvent(event).catch(() => undefined);
    await stream.done;
    expect(stream.error).toMatchObject({ code: 'CANCELED' });
    await expect(stream.complete()).rejects.toMatchObject({ code: 'CANCELED' });
    expect(uploads()).toBe(1);
  }, GUARD_MS);

  it('a part upload failing for good: done settles, the error surfaces, recording and complete reject', async () => {
    const { uploader } = uploaderWith(() => new AuditcastError('ACCESS_DENIED', 'simulated denial'));
    const stream = await openStream(uploader);
    for (const event of events) await stream.recordEvent(event).catch(() => undefined);
    await stream.done;
    expect(stream.error).toMatchObject({ code: 'ACCESS_DENIED' });
    await expect(stream.complete()).rejects.toMatchObject({ code: 'ACCESS_DENIED' });
    await expect(stream.recordEvent(events[0]!)).rejects.toMatchObject({ code: 'ACCESS_DENIED' });
  }, GUARD_MS);

  it('aborted with chunks still compressing: every call settles, nothing is uploaded', async () => {
    const abort = new AbortController();
    const { uploader, uploads } = uploaderWith(() => null);
    const stream = await openStream(uploader, abort.signal);
    // Not awaited: the full chunks are handed to the pool and cannot have compressed yet.
    const recorded = events.map((event) => stream.recordEvent(event));
    const completed = stream.complete();
    abort.abort();
    const outcomes = await Promise.allSettled([...recorded, completed, stream.close(), stream.done]);
    expect(outcomes.length).toBe(events.length + 3);
    expect(stream.error).toMatchObject({ code: 'CANCELED' });
    await expect(completed).rejects.toMatchObject({ code: 'CANCELED' });
    expect(uploads()).toBe(0);
  }, GUARD_MS);
});
