// SingleFileUploader (auditcast import's sink): parts appended once into a temporary file beside
// the recording, published whole; a recording through it is byte for byte the FileUploader's.
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { corpusPrints } from '../codec/codec-helpers.js';
import { ProtoStreamer } from '../../lib/stream/proto-streamer.js';
import { FileUploader } from '../../lib/uploads/file-uploader.js';
import { SingleFileUploader } from '../../lib/uploads/single-file-uploader.js';
import { expectCode } from './uploader-suite.js';

const text = (s: string) => Buffer.from(s, 'utf8');

describe('SingleFileUploader', () => {
  let dir: string;
  let file: string;
  const sid = randomUUID();
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'auditcast-single-file-'));
    file = join(dir, 'out.tar');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('appends parts in order, rewrites a retried last part in place, publishes on complete and leaves nothing else', async () => {
    const uploader = new SingleFileUploader({ file, sessionId: sid });
    const upload = await uploader.createUpload(sid);
    await uploader.reserveUploadPart(upload, 1);
    const one = await uploader.uploadPart(upload, 1, text('first part, '));
    await uploader.reserveUploadPart(upload, 3);
    await uploader.uploadPart(upload, 3, text('a longer body that the retry will shorten'));
    const three = await uploader.uploadPart(upload, 3, text('second'));
    expect(existsSync(file)).toBe(false);
    expect((await uploader.listParts(upload)).map((p) => p.number)).toEqual([1, 3]);
    await uploader.completeUpload(upload, [three, one]);
    expect(readFileSync(file, 'utf8')).toBe('first part, second');
    expect(readdirSync(dir)).toEqual(['out.tar']);
    expect((await uploader.download(sid)).toString()).toBe('first part, second');
    expect(await uploader.listUploads()).toEqual([]);
  });

  it('refuses a part older than the last one, and a completion with parts other than those written', async () => {
    const uploader = new SingleFileUploader({ file, sessionId: sid });
    const upload = await uploader.createUpload(sid);
    await uploader.uploadPart(upload, 3, text('three'));
    await expectCode(uploader.uploadPart(upload, 1, text('one')), 'BAD_PARAMETER');
    await expectCode(uploader.completeUpload(upload, [{ number: 3, lastModified: new Date() }, { number: 5, lastModified: new Date() }]), 'NOT_FOUND');
    await expectCode(uploader.uploadPart({ ...upload, id: randomUUID() }, 5, text('x')), 'NOT_FOUND');
    await expectCode(uploader.createUpload(randomUUID()), 'NOT_FOUND');
    await uploader.abortUpload(upload);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('never replaces an existing file unless told to, and keeps no temporary file either way', async () => {
    writeFileSync(file, 'precious');
    const keep = new SingleFileUploader({ file, sessionId: sid });
    const upload = await keep.createUpload(sid);
    const part = await keep.uploadPart(upload, 1, text('new'));
    await expectCode(keep.completeUpload(upload, [part]), 'ALREADY_EXISTS');
    expect(readFileSync(file, 'utf8')).toBe('precious');
    expect(readdirSync(dir)).toEqual(['out.tar']);
    await expectCode(keep.upload(sid, text('whole')), 'ALREADY_EXISTS');
    expect(readdirSync(dir)).toEqual(['out.tar']);

    const replace = new SingleFileUploader({ file, sessionId: sid, replace: true });
    await replace.upload(sid, text('whole'));
    expect(readFileSync(file, 'utf8')).toBe('whole');
    expect(readdirSync(dir)).toEqual(['out.tar']);
  });

  it('completing with no parts writes no file', async () => {
    const uploader = new SingleFileUploader({ file, sessionId: sid });
    const upload = await uploader.createUpload(sid);
    await uploader.completeUpload(upload, []);
    expect(readdirSync(dir)).toEqual([]);
    await expectCode(uploader.download(sid), 'NOT_FOUND');
  });

  it('a ProtoStream recording through it is byte for byte the FileUploader one (8 KiB parts)', async () => {
    const events = corpusPrints('build');
    const record = async (streamer: ProtoStreamer) => {
      const stream = await streamer.createAuditStream(sid);
      for (const event of events) await stream.recordEvent(event);
      await stream.complete();
    };
    await record(new ProtoStreamer({ uploader: new SingleFileUploader({ file, sessionId: sid }), minUploadBytes: 8 * 1024 }));
    const files = new FileUploader({ directory: join(dir, 'records'), minUploadBytes: 8 * 1024 });
    await record(new ProtoStreamer({ uploader: files, minUploadBytes: 8 * 1024 }));
    const expected = readFileSync(files.recordingPath(sid));
    expect(expected.length).toBeGreaterThan(3 * 8 * 1024);
    expect(readFileSync(file).equals(expected)).toBe(true);
  });
});
