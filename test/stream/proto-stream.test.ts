import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { AuditcastError, isAuditcastError } from '../../lib/errors.js';
import { ProtoReader } from '../../lib/stream/proto-reader.js';
import { ProtoStreamer } from '../../lib/stream/proto-streamer.js';
import type { MultipartUploader, StreamPart, StreamUpload } from '../../lib/stream/multipart-uploader.js';
import { MemoryUploader } from '../../lib/uploads/memory-uploader.js';
import { generateTestSession } from '../helpers/generate-session.js';
import { normalizeEvents } from '../helpers/normalize.js';
import { defineStreamSuite, failFirstComplete } from './stream-suite.js';

const GOLDEN = '../shared/fixtures/teleport-golden/test-session-3.golden.jsonl';

/** Splits a recording into its parts using the header sizes. */
function splitParts(recording: Uint8Array): Uint8Array[] {
  const parts: Uint8Array[] = [];
  let pos = 0;
  while (pos < recording.length) {
    const view = new DataView(recording.buffer, recording.byteOffset + pos);
    const size = 24 + Number(view.getBigUint64(8)) + Number(view.getBigUint64(16));
    parts.push(recording.subarray(pos, pos + size));
    pos += size;
  }
  return parts;
}

async function record(events: ReturnType<typeof generateTestSession>, minUploadBytes: number, uploader = new MemoryUploader()) {
  const streamer = new ProtoStreamer({ uploader, minUploadBytes });
  const stream = await streamer.createAuditStream(`test-${minUploadBytes}`);
  for (const event of events) await stream.recordEvent(event);
  await stream.complete();
  return { uploader, parts: uploader.getParts(stream.uploadId), stream };
}

describe('stream suite on MemoryUploader', () => {
  defineStreamSuite(() => new MemoryUploader(), () => failFirstComplete(new MemoryUploader()));
});

describe('TestProtoStreamer: every part decodes on its own', () => {
  const cases = [
    { name: '5MB similar to S3 min size in bytes', min: 5 * 1024 * 1024, prints: 1 },
    { name: 'get a part per message', min: 1, prints: 1 },
    { name: 'small load test with some uneven numbers', min: 1024, prints: 1000 },
    { name: 'one event using the whole part', min: 1, prints: -1 },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const events = c.prints < 0 ? generateTestSession({ printEvents: 0 }).slice(0, 1) : generateTestSession({ printEvents: c.prints });
      const { parts } = await record(events, c.min);
      if (c.min === 1) expect(parts.length).toBe(events.length);
      const out = [];
      for (const part of parts) out.push(...(await new ProtoReader(part).readAll()));
      expect(out).toEqual(normalizeEvents(events));
    });
  }

  it('no events: nothing decodes and no object is made', async () => {
    const uploader = new MemoryUploader();
    const streamer = new ProtoStreamer({ uploader, minUploadBytes: 5 * 1024 * 1024 + 64 * 1024 });
    const stream = await streamer.createAuditStream('test-empty');
    await stream.complete();
    await expect(uploader.download('test-empty')).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});

describe('wire format', () => {
  it('writes the records of Teleport\'s own encoder for its test session', async () => {
    const golden = readFileSync(GOLDEN, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    const events = generateTestSession({
      printEvents: 3, sessionId: '5c7d1a9e-5f3b-4f8a-9d2e-0123456789ab', serverId: '00000000-0000-4000-8000-000000000001',
    });
    const { parts } = await record(events, 5 * 1024 * 1024);
    expect(parts).toHaveLength(1);
    const gz = parts[0].subarray(24, 24 + Number(new DataView(parts[0].buffer, parts[0].byteOffset).getBigUint64(8)));
    const raw = gunzipSync(gz);
    const records: string[] = [];
    for (let pos = 0; pos < raw.length;) {
      const len = raw.readUInt32BE(pos);
      records.push(raw.subarray(pos + 4, pos + 4 + len).toString('hex'));
      pos += 4 + len;
    }
    expect(records).toEqual(golden.map((g) => g.oneof_hex));
  });

  it('has Teleport\'s header words, a level-1 gzip member, OneOf numbers and exact padding', async () => {
    const events = generateTestSession({ printEvents: 2000 });
    const uploader = new MemoryUploader();
    const stream = await new ProtoStreamer({ uploader, minUploadBytes: 2048 }).createAuditStream('format');
    for (const [i, event] of events.entries()) {
      if (i === 10) await stream.flush(); // a short, padded part
      await stream.recordEvent(event);
    }
    await stream.complete();
    const recording = await uploader.download(stream.sessionId);
    const parts = splitParts(recording);
    expect(parts.length).toBeGreaterThan(2);
    expect(parts[0].length).toBe(2048);
    parts.forEach((part, i) => {
      const view = new DataView(part.buffer, part.byteOffset);
      expect(view.getBigUint64(0)).toBe(1n);
      const size = Number(view.getBigUint64(8));
      const padding = Number(view.getBigUint64(16));
      expect(Buffer.from(part.subarray(24, 34)).toString('hex')).toBe('1f8b08000000000004ff');
      const last = i === parts.length - 1;
      if (last) expect(padding).toBe(0);
      else expect(part.length).toBeGreaterThanOrEqual(2048);
      if (padding > 0) expect(part.length).toBe(2048);
      expect(part.subarray(24 + size).every((b) => b === 0)).toBe(true);
      const raw = gunzipSync(part.subarray(24, 24 + size));
      expect(raw.length).toBeGreaterThan(0);
    });
    const first = gunzipSync(parts[0].subarray(24, 24 + Number(new DataView(parts[0].buffer, parts[0].byteOffset).getBigUint64(8))));
    expect(first[4]).toBe(0x2a); // session.start = OneOf 5
    expect(first[4 + first.readUInt32BE(0) + 4]).toBe(0x3a); // print = OneOf 7
  });

  it('numbers parts 1, 3, 5 ... as Teleport does', async () => {
    const { uploader, stream } = await record(generateTestSession({ printEvents: 50 }), 1);
    const numbers = uploader.getPartNumbers(stream.uploadId);
    expect(numbers.slice(0, 4)).toEqual([1, 3, 5, 7]);
  });

  it('print data read back equals what was written, byte for byte', async () => {
    const events = generateTestSession({ printEvents: 300 });
    const { uploader, stream } = await record(events, 4096);
    const out = await new ProtoReader(await uploader.download(stream.sessionId)).readAll();
    const written = Buffer.concat(events.filter((e) => e.$type === 'SessionPrint').map((e) => e.Data as Uint8Array));
    const read = Buffer.concat(out.filter((e) => e.$type === 'SessionPrint').map((e) => e.Data as Uint8Array));
    expect(read.equals(written)).toBe(true);
  });
});

describe('ProtoStream lifecycle', () => {
  it('does not retry a full disk (LIMIT_EXCEEDED): the stream fails at the first attempt', async () => {
    const inner = new MemoryUploader();
    let attempts = 0;
    const full: MultipartUploader = Object.assign(Object.create(inner) as MemoryUploader, {
      uploadPart: async () => {
        attempts++;
        throw new AuditcastError('LIMIT_EXCEEDED', 'upload part: no space left (ENOSPC)');
      },
    });
    const stream = await new ProtoStreamer({ uploader: full, retry: { stepMs: 60_000 } }).createAuditStream('full');
    await stream.recordEvent(generateTestSession({ printEvents: 0 })[0]);
    const started = Date.now();
    const err = await stream.complete().catch((e: unknown) => e);
    expect(isAuditcastError(err, 'LIMIT_EXCEEDED')).toBe(true);
    expect(attempts).toBe(1);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('padParts: false uploads flushed parts unpadded, and they read back', async () => {
    const uploader = new MemoryUploader();
    const stream = await new ProtoStreamer({ uploader, minUploadBytes: 64 * 1024, padParts: false }).createAuditStream('unpadded');
    const events = generateTestSession({ printEvents: 6 });
    for (const [i, event] of events.entries()) {
      await stream.recordEvent(event);
      if (i % 2 === 0) await stream.flush();
    }
    await stream.complete();
    const bytes = await uploader.download('unpadded');
    expect(stream.stats.partsUploaded).toBeGreaterThan(3);
    expect(bytes.length).toBeLessThan(64 * 1024);
    expect(normalizeEvents(await new ProtoReader(bytes).readAll())).toEqual(normalizeEvents(events));
  });

  it('rejects an event that cannot be made to fit 64 KiB, and completes anyway', async () => {
    const uploader = new MemoryUploader();
    const stream = await new ProtoStreamer({ uploader, trim: (e) => e }).createAuditStream('large');
    const big = {
      $type: 'AccessRequestDelete' as const,
      Metadata: { Index: 0, Type: 'access_request.delete', Code: 'T5003I' },
      RequestID: 'x'.repeat(65536),
    };
    const err = await stream.recordEvent(big).catch((e: unknown) => e);
    expect(isAuditcastError(err, 'BAD_PARAMETER')).toBe(true);
    expect((err as Error).message).toMatch(/exceeds max message size of 65536 bytes/);
    await stream.recordEvent(generateTestSession({ printEvents: 0 })[0]);
    await stream.complete();
    expect(await new ProtoReader(await uploader.download('large')).readAll()).toHaveLength(1);
  });

  it('trims an oversized event whose type allows it (TestProtoStreamLargeEvent)', async () => {
    const uploader = new MemoryUploader();
    const stream = await new ProtoStreamer({ uploader }).createAuditStream('trim');
    await stream.recordEvent({
      $type: 'DatabaseSessionQuery',
      Metadata: { Index: 0, Type: 'db.session.query', Code: 'TDB02I' },
      DatabaseQuery: 'A'.repeat(65536),
    });
    await stream.complete();
    const [event] = await new ProtoReader(await uploader.download('trim')).readAll();
    expect((event.DatabaseQuery as string).length).toBeLessThan(65536);
    expect((event.DatabaseQuery as string).length).toBeGreaterThan(50_000);
    expect(stream.stats.trimmedEvents).toBe(1);
  });

  it('complete twice and close after complete return at once', async () => {
    const stream = await new ProtoStreamer({ uploader: new MemoryUploader() }).createAuditStream('twice');
    await stream.complete();
    await stream.complete();
    await stream.close();
    await stream.done;
  });

  it('refuses events after complete', async () => {
    const stream = await new ProtoStreamer({ uploader: new MemoryUploader() }).createAuditStream('after');
    await stream.complete();
    await expect(stream.recordEvent(generateTestSession({ printEvents: 0 })[0])).rejects.toMatchObject({ code: 'COMPLETED' });
  });

  it('close leaves the upload open; resume skips two part numbers and completes', async () => {
    const uploader = new MemoryUploader();
    const streamer = new ProtoStreamer({ uploader, minUploadBytes: 1024 });
    const events = generateTestSession({ printEvents: 100 });
    const stream = await streamer.createAuditStream('resumable');
    for (const event of events.slice(0, 50)) await stream.recordEvent(event);
    await stream.close();
    await expect(uploader.download('resumable')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    const parts = await uploader.listParts({ id: stream.uploadId, sessionId: 'resumable', initiated: new Date() });
    const last = parts[parts.length - 1].number;
    const resumed = await streamer.resumeAuditStream('resumable', stream.uploadId);
    for (const event of events.slice(50)) await resumed.recordEvent(event);
    await resumed.complete();
    const firstNew = uploader.getPartNumbers(stream.uploadId).find((n) => n > last);
    expect(firstNew).toBe(last + 2);
    const reader = new ProtoReader(await uploader.download('resumable'));
    expect(await reader.readAll()).toEqual(normalizeEvents(events));
  });

  it('status updates: -1 first, then the last index of each uploaded part', async () => {
    const uploader = new MemoryUploader();
    const stream = await new ProtoStreamer({ uploader, minUploadBytes: 1 }).createAuditStream('status');
    const events = generateTestSession({ printEvents: 3 });
    const seen: number[] = [];
    const reading = (async () => { for await (const s of stream.status) seen.push(s.lastEventIndex); })();
    for (const event of events) await stream.recordEvent(event);
    await stream.complete();
    await reading;
    expect(seen).toEqual([-1, 0, 1, 2, 3, 4]);
  });

  it('uploads an idle part after the inactivity period', async () => {
    const uploader = new MemoryUploader();
    const stream = await new ProtoStreamer({ uploader, inactivityFlushMs: 30 }).createAuditStream('idle');
    await stream.status.next();
    await stream.recordEvent(generateTestSession({ printEvents: 0 })[0]);
    const update = await stream.status.next();
    expect(update?.lastEventIndex).toBe(0);
    const parts = uploader.getParts(stream.uploadId);
    expect(parts).toHaveLength(1);
    expect(parts[0].length).toBe(5 * 1024 * 1024);
    await stream.complete();
  });

  it('fails when the first part cannot be reserved', async () => {
    class NoReserve extends MemoryUploader {
      override async reserveUploadPart(): Promise<void> { throw new AuditcastError('LIMIT_EXCEEDED', 'disk full'); }
    }
    await expect(new ProtoStreamer({ uploader: new NoReserve() }).createAuditStream('x')).rejects.toMatchObject({ code: 'LIMIT_EXCEEDED' });
  });

  it('an AbortSignal cancels the stream', async () => {
    const controller = new AbortController();
    const uploader = new MemoryUploader();
    const stream = await new ProtoStreamer({ uploader }).createAuditStream('abort', { signal: controller.signal });
    controller.abort();
    await stream.done;
    await expect(stream.recordEvent(generateTestSession({ printEvents: 0 })[0])).rejects.toMatchObject({ code: 'CANCELED' });
  });

  it('a part that keeps failing fails the stream with the uploader error', async () => {
    class Broken extends MemoryUploader {
      override async uploadPart(): Promise<StreamPart> { throw new AuditcastError('ACCESS_DENIED', 'no'); }
    }
    const uploader: MultipartUploader = new Broken();
    const stream = await new ProtoStreamer({ uploader, minUploadBytes: 1, retry: { stepMs: 1, maxAttempts: 3 } }).createAuditStream('broken');
    await stream.recordEvent(generateTestSession({ printEvents: 0 })[0]);
    await stream.done;
    expect(stream.error?.code).toBe('ACCESS_DENIED');
    await expect(stream.complete()).rejects.toMatchObject({ code: 'ACCESS_DENIED' });
  });

  it('validates options, naming the bad one', () => {
    expect(() => new ProtoStreamer({ uploader: new MemoryUploader(), minUploadBytes: 0 })).toThrow(/minUploadBytes/);
    expect(() => new ProtoStreamer({ uploader: new MemoryUploader(), minUploadByte: 5 } as never)).toThrow(/minUploadByte/);
  });
});

describe('ProtoStream status with parallel uploads', () => {
  it('never acknowledges a part while an earlier one is still uploading', async () => {
    const gates = new Map<number, () => void>();
    let othersLanded!: () => void;
    const landed = new Promise<void>((resolve) => { othersLanded = resolve; });
    const others = new Set<number>();
    class Gated extends MemoryUploader {
      override async uploadPart(upload: StreamUpload, partNumber: number, body: Uint8Array): Promise<StreamPart> {
        if (partNumber === 1) await new Promise<void>((resolve) => gates.set(1, resolve));
        const part = await super.uploadPart(upload, partNumber, body);
        if (partNumber !== 1 && others.add(partNumber).size === 3) othersLanded();
        return part;
      }
    }
    const uploader = new Gated();
    const stream = await new ProtoStreamer({ uploader, minUploadBytes: 1, concurrentUploads: 4 }).createAuditStream('parallel');
    const seen: number[] = [];
    const reading = (async () => { for await (const s of stream.status) seen.push(s.lastEventIndex); })();
    const events = generateTestSession({ printEvents: 3 });
    for (const event of events.slice(0, 4)) await stream.recordEvent(event);
    await landed; // parts 3, 5, 7 are done, part 1 is not
    // The stream handles each part's result in promise callbacks: a macrotask turn runs them all.
    await new Promise((r) => setImmediate(r));
    expect([...others].sort()).toEqual([3, 5, 7]);
    expect(seen).toEqual([-1]);
    gates.get(1)!();
    await stream.recordEvent(events[4]);
    await stream.complete();
    await reading;
    expect(seen).toEqual([-1, 0, 1, 2, 3, 4]);
  });
});
