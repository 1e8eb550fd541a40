// Plain object tests every MultipartUploader must pass (Teleport's lib/events/test/suite.go plus
// the part ordering, reservation and completion cases of filestream_test.go), run against the
// memory, file and S3 uploaders by their own test files.
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { AuditcastError, type ErrorCode } from '../../lib/errors.js';
import type { MultipartUploader, StreamPart } from '../../lib/uploads/multipart-uploader.js';

export interface UploaderHarness {
  uploader: MultipartUploader;
  cleanup?: () => Promise<void>;
}

export interface UploaderTraits {
  /** What a second completeUpload of the same upload does. */
  completeTwice: { error: ErrorCode } | 'succeeds';
  /** Whether completing with zero parts leaves no recording (file, S3; the memory reference writes an empty one). */
  emptyCompleteLeavesNoObject: boolean;
}

export async function expectCode(promise: Promise<unknown>, code: ErrorCode): Promise<void> {
  await expect(promise).rejects.toMatchObject({ name: 'AuditcastError', code });
}

const text = (s: string) => Buffer.from(s, 'utf8');

export function uploaderObjectSuite(name: string, make: () => Promise<UploaderHarness>, traits: UploaderTraits): void {
  describe(`${name}: object suite`, () => {
    const withUploader = (body: (uploader: MultipartUploader) => Promise<void>) => async () => {
      const harness = await make();
      try {
        await body(harness.uploader);
      } finally {
        await harness.cleanup?.();
      }
    };

    it('UploadDownload', withUploader(async (uploader) => {
      const sid = randomUUID();
      const payload = 'hello, how is it going? this is the uploaded file';
      await uploader.upload(sid, text(payload));
      expect((await uploader.download(sid)).toString('utf8')).toBe(payload);
      const chunks: Buffer[] = [];
      for await (const chunk of await uploader.downloadStream(sid)) chunks.push(Buffer.from(chunk as Uint8Array));
      expect(Buffer.concat(chunks).toString('utf8')).toBe(payload);
    }));

    it('UploadDownload from a stream body', withUploader(async (uploader) => {
      const sid = randomUUID();
      async function* body() {
        yield text('one,');
        yield text('two');
      }
      await uploader.upload(sid, body());
      expect((await uploader.download(sid)).toString('utf8')).toBe('one,two');
    }));

    it('upload never overwrites an existing recording (ALREADY_EXISTS)', withUploader(async (uploader) => {
      const sid = randomUUID();
      await uploader.upload(sid, text('first'));
      await expectCode(uploader.upload(sid, text('second')), 'ALREADY_EXISTS');
      expect((await uploader.download(sid)).toString('utf8')).toBe('first');
    }));

    it('DownloadNotFound', withUploader(async (uploader) => {
      await expectCode(uploader.download(randomUUID()), 'NOT_FOUND');
      await expectCode(uploader.downloadStream(randomUUID()), 'NOT_FOUND');
    }));

    it('joins parts in ascending part number whatever the upload and list order', withUploader(async (uploader) => {
      const sid = randomUUID();
      const upload = await uploader.createUpload(sid);
      expect(upload.sessionId).toBe(sid);
      for (const n of [3, 1, 2]) {
        await uploader.reserveUploadPart(upload, n);
        const part = await uploader.uploadPart(upload, n, text(`part${n};`));
        expect(part.number).toBe(n);
      }
      const parts = await uploader.listParts(upload);
      expect(parts.map((p) => p.number)).toEqual([1, 2, 3]);
      await uploader.completeUpload(upload, [parts[2]!, parts[0]!, parts[1]!]);
      expect((await uploader.download(sid)).toString('utf8')).toBe('part1;part2;part3;');
    }));

    it('re-uploading a part number replaces it', withUploader(async (uploader) => {
      const sid = randomUUID();
      const upload = await uploader.createUpload(sid);
      await uploader.uploadPart(upload, 1, text('old'));
      await uploader.uploadPart(upload, 1, text('new!'));
      await uploader.uploadPart(upload, 2, text('+2'));
      const parts = await uploader.listParts(upload);
      expect(parts.map((p) => p.number)).toEqual([1, 2]);
      await uploader.completeUpload(upload, parts);
      expect((await uploader.download(sid)).toString('utf8')).toBe('new!+2');
    }));

    it('reserved but never uploaded parts are not listed and not joined (ReservationParts)', withUploader(async (uploader) => {
      const sid = randomUUID();
      const upload = await uploader.createUpload(sid);
      const contents: Array<[number, string]> = [[1, ''], [2, 'hello'], [3, 'world'], [4, ''], [5, 'withreservation']];
      for (const [n, body] of contents) {
        await uploader.reserveUploadPart(upload, n);
        if (body) await uploader.uploadPart(upload, n, text(body));
      }
      const parts = await uploader.listParts(upload);
      expect(parts.map((p) => p.number)).toEqual([2, 3, 5]);
      await uploader.completeUpload(upload, parts);
      expect((await uploader.download(sid)).toString('utf8')).toBe('helloworldwithreservation');
    }));

    it('PartsWithContent', withUploader(async (uploader) => {
      const sid = randomUUID();
      const upload = await uploader.createUpload(sid);
      await uploader.reserveUploadPart(upload, 1);
      await uploader.uploadPart(upload, 1, text('hello'));
      await uploader.reserveUploadPart(upload, 2);
      await uploader.uploadPart(upload, 2, text('world'));
      await uploader.completeUpload(upload, await uploader.listParts(upload));
      expect((await uploader.download(sid)).toString('utf8')).toBe('helloworld');
    }));

    it('OnlyReservation: completing with no parts', withUploader(async (uploader) => {
      const sid = randomUUID();
      const upload = await uploader.createUpload(sid);
      await uploader.reserveUploadPart(upload, 1);
      await uploader.reserveUploadPart(upload, 2);
      const parts = await uploader.listParts(upload);
      expect(parts).toEqual([]);
      await uploader.completeUpload(upload, parts);
      if (traits.emptyCompleteLeavesNoObject) await expectCode(uploader.download(sid), 'NOT_FOUND');
      else expect((await uploader.download(sid)).byteLength).toBe(0);
    }));

    it('complete twice', withUploader(async (uploader) => {
      const sid = randomUUID();
      const upload = await uploader.createUpload(sid);
      await uploader.uploadPart(upload, 1, text('once'));
      const parts = await uploader.listParts(upload);
      await uploader.completeUpload(upload, parts);
      if (traits.completeTwice === 'succeeds') {
        await uploader.completeUpload(upload, parts);
      } else {
        await expectCode(uploader.completeUpload(upload, parts), traits.completeTwice.error);
      }
      // Completing again with other parts is never success: the recording has the first parts.
      await expect(uploader.completeUpload(upload, [...parts, { number: 9, lastModified: new Date() }])).rejects.toBeInstanceOf(AuditcastError);
      // Whatever the second call says, the recording is intact.
      expect((await uploader.download(sid)).toString('utf8')).toBe('once');
    }));

    it('a completed recording is never overwritten by a later upload of the same session', withUploader(async (uploader) => {
      const sid = randomUUID();
      const stale = await uploader.createUpload(sid);
      await uploader.uploadPart(stale, 1, text('partial'));
      const full = await uploader.createUpload(sid);
      await uploader.uploadPart(full, 1, text('complete recording'));
      await uploader.completeUpload(full, await uploader.listParts(full));
      await expectCode(uploader.completeUpload(stale, await uploader.listParts(stale)), 'ALREADY_EXISTS');
      expect((await uploader.download(sid)).toString('utf8')).toBe('complete recording');
    }));

    it('listUploads lists uploads in progress, oldest first', withUploader(async (uploader) => {
      const first = await uploader.createUpload(randomUUID());
      await new Promise((r) => setTimeout(r, 15));
      const second = await uploader.createUpload(randomUUID());
      const listed = await uploader.listUploads();
      const ours = listed.filter((u) => u.id === first.id || u.id === second.id);
      expect(ours.map((u) => [u.id, u.sessionId])).toEqual([[first.id, first.sessionId], [second.id, second.sessionId]]);
      for (const u of ours) expect(u.initiated).toBeInstanceOf(Date);

      await uploader.uploadPart(first, 1, text('x'));
      await uploader.completeUpload(first, await uploader.listParts(first));
      const after = (await uploader.listUploads()).map((u) => u.id);
      expect(after).not.toContain(first.id);
      expect(after).toContain(second.id);
    }));

    it('uploadPart to an unknown upload is NOT_FOUND', withUploader(async (uploader) => {
      const sid = randomUUID();
      const real = await uploader.createUpload(sid);
      const unknown = { ...real, id: fakeUploadIdLike(real.id) };
      await expectCode(uploader.uploadPart(unknown, 1, text('x')), 'NOT_FOUND');
    }));

    it('completing with a part that was never uploaded is NOT_FOUND and writes nothing', withUploader(async (uploader) => {
      const sid = randomUUID();
      const upload = await uploader.createUpload(sid);
      const part: StreamPart = await uploader.uploadPart(upload, 1, text('x'));
      await expect(uploader.completeUpload(upload, [part, { number: 7, lastModified: new Date() }])).rejects.toMatchObject({ name: 'AuditcastError' });
      await expectCode(uploader.download(sid), 'NOT_FOUND');
    }));

    it('metadata names the session', withUploader(async (uploader) => {
      const sid = randomUUID();
      const meta = uploader.getUploadMetadata(sid);
      expect(meta.sessionId).toBe(sid);
      expect(meta.url).toContain(sid);
    }));
  });
}

/** An id of the same shape as a real one that no store has issued. */
function fakeUploadIdLike(id: string): string {
  if (/^[0-9a-f-]{36}$/i.test(id)) return randomUUID();
  return id.replace(/[0-9a-f]/gi, (c) => (c === 'a' ? 'b' : 'a'));
}
