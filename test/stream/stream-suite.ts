// Teleport's stream suite (conformance-scenarios §1), as a function any uploader can run:
// write a generated session through a ProtoStreamer, download it and read it back exactly.
import { expect, it } from 'vitest';
import { AuditcastError, isAuditcastError } from '../../lib/errors.js';
import { ProtoReader } from '../../lib/stream/proto-reader.js';
import { ProtoStreamer } from '../../lib/stream/proto-streamer.js';
import type { MultipartUploader, StreamPart, StreamUpload } from '../../lib/stream/multipart-uploader.js';
import { generateTestSession } from '../helpers/generate-session.js';
import { expectSameEvents } from '../helpers/normalize.js';

/** Fails the first upload of every part number while flaking is on. */
export class FlakyUploader implements MultipartUploader {
  flaking = false;
  failures = 0;
  private readonly seen = new Set<string>();

  constructor(private readonly inner: MultipartUploader) {}

  createUpload: MultipartUploader['createUpload'] = (...a) => this.inner.createUpload(...a);
  reserveUploadPart: MultipartUploader['reserveUploadPart'] = (...a) => this.inner.reserveUploadPart(...a);
  listParts: MultipartUploader['listParts'] = (...a) => this.inner.listParts(...a);
  listUploads: MultipartUploader['listUploads'] = (...a) => this.inner.listUploads(...a);
  completeUpload: MultipartUploader['completeUpload'] = (...a) => this.inner.completeUpload(...a);
  getUploadMetadata: MultipartUploader['getUploadMetadata'] = (...a) => this.inner.getUploadMetadata(...a);
  upload: MultipartUploader['upload'] = (...a) => this.inner.upload(...a);
  download: MultipartUploader['download'] = (...a) => this.inner.download(...a);
  downloadStream: MultipartUploader['downloadStream'] = (...a) => this.inner.downloadStream(...a);

  async uploadPart(upload: StreamUpload, partNumber: number, body: Uint8Array): Promise<StreamPart> {
    const key = `${upload.id}/${partNumber}`;
    if (this.flaking && !this.seen.has(key)) {
      this.seen.add(key);
      this.failures++;
      throw new Error('flakeity flake flake');
    }
    return this.inner.uploadPart(upload, partNumber, body);
  }
}

/**
 * Makes the uploader's first completeUpload fail before it does anything (Teleport's failing
 * OnBeforeComplete hook), for the resume case of the suite.
 */
export function failFirstComplete<T extends MultipartUploader>(uploader: T): T {
  const complete = uploader.completeUpload.bind(uploader);
  let failed = false;
  uploader.completeUpload = async (upload, parts, options) => {
    if (!failed) {
      failed = true;
      throw new AuditcastError('CONNECTION_PROBLEM', 'simulate failure 1');
    }
    return complete(upload, parts, options);
  };
  return uploader;
}

export interface StreamCaseParams {
  printEvents: number;
  minUploadBytes: number;
  concurrentUploads?: number;
  flaky: boolean;
  forceFlush: boolean;
}

/** StreamWithParameters: upload then download and compare. */
export async function runStreamCase(makeUploader: () => MultipartUploader | Promise<MultipartUploader>, p: StreamCaseParams): Promise<void> {
  const events = generateTestSession({ printEvents: p.printEvents });
  const sid = (events[0].Session as { SessionID: string }).SessionID;
  const base = await makeUploader();
  const uploader = new FlakyUploader(base);
  const streamer = new ProtoStreamer({
    uploader, minUploadBytes: p.minUploadBytes, concurrentUploads: p.concurrentUploads, retry: { stepMs: 1 },
  });
  const stream = await streamer.createAuditStream(sid);
  const first = await stream.status.next();
  expect(first?.lastEventIndex).toBe(-1);
  expect(first?.uploadId).toBe(stream.uploadId);
  uploader.flaking = p.flaky;
  const flushEvery = Math.floor(events.length / 3);
  for (let i = 0; i < events.length; i++) {
    if (p.forceFlush && i % flushEvery === 0) await stream.flush();
    await stream.recordEvent(events[i]);
  }
  await stream.complete();
  if (p.flaky) expect(uploader.failures).toBeGreaterThan(0);
  const recording = await base.download(sid);
  const reader = new ProtoReader(recording);
  const out = await reader.readAll();
  expect(reader.stats.skippedEvents).toBe(0);
  expect(reader.stats.outOfOrderEvents).toBe(0);
  expect(reader.stats.totalEvents).toBe(events.length);
  expectSameEvents(out, events, expect);
}

const PERMUTATIONS = [
  { flaky: false, forceFlush: false },
  { flaky: true, forceFlush: false },
  { flaky: false, forceFlush: true },
  { flaky: true, forceFlush: true },
];

/**
 * Registers the suite's tests for one uploader. `makeResumeUploader` builds an uploader whose first
 * completeUpload fails (Teleport's OnBeforeComplete hook); omit it to skip the resume case.
 */
export function defineStreamSuite(
  makeUploader: () => MultipartUploader | Promise<MultipartUploader>,
  makeResumeUploader?: () => MultipartUploader | Promise<MultipartUploader>,
): void {
  for (const perm of PERMUTATIONS) {
    const name = `Flaky=${perm.flaky},ForceFlush=${perm.forceFlush}`;
    it(`StreamSinglePart ${name}`, () => runStreamCase(makeUploader, { printEvents: 1024, minUploadBytes: 1024 * 1024, ...perm }));
    it(`StreamWithPadding ${name}`, () => runStreamCase(makeUploader, { printEvents: 10, minUploadBytes: 1024 * 1024, ...perm }));
    it(`Stream ${name}`, () => runStreamCase(makeUploader, { printEvents: 1024, minUploadBytes: 1024, concurrentUploads: 2, ...perm }));
    it(`StreamManyParts ${name}`, () => runStreamCase(makeUploader, { printEvents: 8192, minUploadBytes: 1024, concurrentUploads: 64, ...perm }));
  }

  it('StreamEmpty: completing an empty stream leaves no object', async () => {
    const uploader = await makeUploader();
    const streamer = new ProtoStreamer({ uploader, minUploadBytes: 1024, concurrentUploads: 2 });
    const sid = generateTestSession({ printEvents: 0 })[0].Session as { SessionID: string };
    const stream = await streamer.createAuditStream(sid.SessionID);
    expect((await stream.status.next())?.lastEventIndex).toBe(-1);
    await stream.complete();
    const err = await uploader.download(sid.SessionID).catch((e: unknown) => e);
    expect(isAuditcastError(err, 'NOT_FOUND')).toBe(true);
  });

  if (makeResumeUploader) {
    it('StreamResumeManyParts: resume after a failed complete', async () => {
      const uploader = await makeResumeUploader();
      const events = generateTestSession({ printEvents: 8192 });
      const sid = (events[0].Session as { SessionID: string }).SessionID;
      // One attempt: the completion is not retried here, so the failure reaches the caller.
      const streamer = new ProtoStreamer({ uploader, minUploadBytes: 1024, concurrentUploads: 64, retry: { stepMs: 1, maxAttempts: 1 } });
      const upload = await uploader.createUpload(sid);
      const stream = await streamer.createAuditStreamForUpload(sid, upload);
      for (const event of events) await stream.recordEvent(event);
      await expect(stream.complete()).rejects.toThrow();
      const resumed = await streamer.resumeAuditStream(sid, upload.id);
      expect((await resumed.status.next())?.lastEventIndex).toBe(-1);
      await resumed.complete();
      const reader = new ProtoReader(await uploader.download(sid));
      const out = await reader.readAll();
      expect(reader.stats).toMatchObject({ skippedEvents: 0, outOfOrderEvents: 0, totalEvents: events.length });
      expectSameEvents(out, events, expect);
    });
  }
}
