// Issue 11 items 2 and 7: the completer never replaces a recording and never stitches over a hole.
// Real streams (codec on both backends) over the file and memory uploaders.
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { AuditcastError } from '../../lib/errors.js';
import type { AuditEvent } from '../../lib/events/event.js';
import { ProtoReader } from '../../lib/stream/proto-reader.js';
import { ProtoStreamer } from '../../lib/stream/proto-streamer.js';
import { FileUploader } from '../../lib/uploads/file-uploader.js';
import { MemoryUploader } from '../../lib/uploads/memory-uploader.js';
import type { MultipartUploader, StreamUpload } from '../../lib/uploads/multipart-uploader.js';
import { S3Uploader } from '../../lib/uploads/s3-uploader.js';
import { startS3TestServer, type S3TestServer } from './s3-test-server.js';
import { UploadCompleter } from '../../lib/uploads/upload-completer.js';
import { generateTestSession } from '../helpers/generate-session.js';
import { tempDir as sharedTempDir } from '../helpers/temp-dir.js';

const tempDir = () => sharedTempDir('auditcast-completer-');

async function readAll(stream: NodeJS.ReadableStream | AsyncIterable<Uint8Array>): Promise<AuditEvent[]> {
  const reader = new ProtoReader(stream as AsyncIterable<Uint8Array>);
  const out: AuditEvent[] = [];
  for (let e = await reader.read(); e; e = await reader.read()) out.push(e);
  return out;
}

let s3Server: S3TestServer | undefined;
afterAll(async () => { await s3Server?.close(); });

async function makeUploader(kind: 'file' | 'memory' | 's3'): Promise<MultipartUploader> {
  if (kind === 'file') return new FileUploader({ directory: await tempDir(), minUploadBytes: 4096 });
  if (kind === 'memory') return new MemoryUploader();
  s3Server ??= await startS3TestServer();
  return new S3Uploader({
    bucket: s3Server.bucket, region: s3Server.region, endpoint: s3Server.endpoint, forcePathStyle: true,
    credentials: s3Server.credentials, prefix: `completer/${randomUUID()}`,
  });
}

describe('UploadCompleter: a completed recording is never overwritten (item 2)', () => {
  for (const kind of ['file', 'memory', 's3'] as const) {
    it(`${kind}: a killed import's stale upload is kept beside the full recording and reported once`, async () => {
      const uploader = await makeUploader(kind);
      const streamer = new ProtoStreamer({ uploader, minUploadBytes: 4096 });
      const events = generateTestSession({ printEvents: 2000 });
      const sid = (events[0]!.Session as { SessionID: string }).SessionID;
      // The killed import: a few parts uploaded, never completed.
      const killed = await streamer.createAuditStream(sid);
      for (const event of events.slice(0, 300)) await killed.recordEvent(event);
      await killed.close();
      // The import run again, to completion.
      const full = await streamer.createAuditStream(sid);
      for (const event of events) await full.recordEvent(event);
      await full.complete();

      const errors: AuditcastError[] = [];
      const completer = new UploadCompleter({ uploader, gracePeriodMs: -1, onError: (e) => errors.push(e) });
      const result = await completer.checkUploads();
      expect(result.completed).toEqual([]);
      expect(result.stale.map((s) => s.upload.id)).toEqual([killed.uploadId]);
      expect(result.stale[0]!.error).toMatchObject({ code: 'ALREADY_EXISTS' });
      expect(result.errors.map((e) => e.upload.id)).toEqual([killed.uploadId]);
      expect(errors).toHaveLength(1);
      expect(errors[0]!.message).toContain(killed.uploadId);
      // The full recording is intact: every event, once.
      const stored = await readAll(await uploader.downloadStream(sid));
      expect(stored.length).toBe(events.length);
      // The stale upload is kept, not lost.
      if (kind === 's3') {
        // S3 cannot read an open upload's parts back; they stay listed, nothing aborted.
        const open = (await uploader.listUploads()).find((u) => u.id === killed.uploadId)!;
        expect((await uploader.listParts(open)).length).toBeGreaterThan(0);
      } else {
        const kept: Buffer = kind === 'file'
          ? await fs.readFile((uploader as FileUploader).staleRecordingPath({ id: killed.uploadId, sessionId: sid } as StreamUpload))
          : (uploader as MemoryUploader).staleRecording(killed.uploadId)!;
        const keptEvents = await readAll((async function* () { yield kept; })());
        expect(keptEvents.length).toBeGreaterThan(0);
        expect(keptEvents.length).toBeLessThan(events.length);
      }
      // Later passes: the file and memory uploaders keep it beside the recording (no longer an
      // upload); S3 can only leave it open, and it is listed as stale again but never re-reported.
      for (let pass = 0; pass < 2; pass++) {
        const again = await completer.checkUploads();
        expect(again.errors).toEqual([]);
        expect(again.stale.map((s) => s.upload.id)).toEqual(kind === 's3' ? [killed.uploadId] : []);
      }
      expect(errors).toHaveLength(1);
      expect((await uploader.listUploads()).map((u) => u.id)).toEqual(kind === 's3' ? [killed.uploadId] : []);
      // A new completer (another process) reports it once more, then not again.
      if (kind === 's3') {
        const other: AuditcastError[] = [];
        const restarted = new UploadCompleter({ uploader, gracePeriodMs: -1, onError: (e) => other.push(e) });
        await restarted.checkUploads();
        await restarted.checkUploads();
        expect(other).toHaveLength(1);
      }
    });
  }
});

describe('UploadCompleter: never completes over a hole in the part numbers (item 7)', () => {
  it('part 3 failed while parts 5 and 7 landed (concurrentUploads 4): not completed, reported', async () => {
    const memory = new MemoryUploader();
    // Part 3 never lands; the others do.
    const uploader = Object.create(memory) as MemoryUploader;
    uploader.uploadPart = async (upload, n, body, options) => {
      if (n === 3) {
        await new Promise((r) => setTimeout(r, 20)); // fails after the later parts landed
        throw new AuditcastError('CONNECTION_PROBLEM', 'part 3: connection reset');
      }
      return memory.uploadPart(upload, n, body, options);
    };
    const streamer = new ProtoStreamer({ uploader, minUploadBytes: 2048, concurrentUploads: 4, retry: { maxAttempts: 1 } });
    const events = generateTestSession({ printEvents: 3000 });
    const sid = (events[0]!.Session as { SessionID: string }).SessionID;
    const stream = await streamer.createAuditStream(sid);
    await expect((async () => {
      for (const event of events) await stream.recordEvent(event);
      await stream.complete();
    })()).rejects.toMatchObject({ code: 'CONNECTION_PROBLEM' });
    const [upload] = await memory.listUploads();
    const numbers = (await memory.listParts(upload!)).map((p) => p.number);
    expect(numbers).toContain(1);
    expect(numbers).not.toContain(3);
    expect(Math.max(...numbers)).toBeGreaterThan(3);

    const result = await new UploadCompleter({ uploader: memory, gracePeriodMs: -1 }).checkUploads();
    expect(result.completed).toEqual([]);
    expect(result.errors[0]!.error).toMatchObject({ code: 'CORRUPTED' });
    expect(result.errors[0]!.error.message).toContain('missing part 3');
    await expect(memory.download(sid)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect((await memory.listUploads()).map((u) => u.id)).toEqual([upload!.id]); // kept for an operator
  });

  it('the gaps a stream leaves on purpose (1, 3, 5 and a resume at last + 2) complete', async () => {
    const uploader = new MemoryUploader();
    const streamer = new ProtoStreamer({ uploader, minUploadBytes: 2048 });
    const events = generateTestSession({ printEvents: 2000 });
    const sid = (events[0]!.Session as { SessionID: string }).SessionID;
    const first = await streamer.createAuditStream(sid);
    for (const event of events.slice(0, 1000)) await first.recordEvent(event);
    await first.close();
    const resumed = await streamer.resumeAuditStream(sid, first.uploadId);
    for (const event of events.slice(1000)) await resumed.recordEvent(event);
    await resumed.close();
    const [upload] = await uploader.listUploads();
    const numbers = (await uploader.listParts(upload!)).map((p) => p.number);
    expect(numbers.some((n, i) => i > 0 && n - numbers[i - 1]! === 2)).toBe(true);
    const result = await new UploadCompleter({ uploader, gracePeriodMs: -1 }).checkUploads();
    expect(result.errors).toEqual([]);
    expect((await readAll(await uploader.downloadStream(sid))).length).toBe(events.length);
  });
});
